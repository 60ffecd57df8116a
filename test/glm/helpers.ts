import type { Compiled } from '../../src/compile/compile.ts';
import { loadModel } from '../../src/pipeline/load.ts';

/** A model file with a glm section, for tests: `params` maps names to defaults, `extra` is appended as YAML;
 * `generic` selects the generic state-evolution path. */
export function glmText(prior: string, channel: string, params: Record<string, number> = {}, extra = '', generic = false): string {
  const ps = { alpha: 1, ...params };
  return [
    'name: probe',
    'description: a glm model built by a test',
    'params:',
    ...Object.entries(ps).map(([k, v]) => `  ${k}: ${v}`),
    'glm:',
    ...indent(`prior: ${prior}`),
    ...indent(`channel: ${channel}`),
    ...(generic ? ['  state_evolution: generic'] : []),
    extra,
  ].join('\n');
}

const indent = (s: string) => s.split('\n').map((l) => `  ${l}`);

export const load = (text: string): Compiled => loadModel('probe.yaml', text);

/** The observables of `compiled` at parameters `params` and state `state` (by name; missing names are NaN). */
export function observe(compiled: Compiled, params: Record<string, number>, state: Record<string, number> = {}): Record<string, number> {
  const p = compiled.problem(params);
  const x = Float64Array.from(p.stateNames, (n) => state[n] ?? NaN);
  const out = new Float64Array(p.observableNames.length);
  p.kernels.observables(x, out);
  return Object.fromEntries(p.observableNames.map((n, i) => [n, out[i]]));
}

/** One sweep of the update map from `state`: the new values, by name. */
export function sweepOnce(compiled: Compiled, params: Record<string, number>, state: Record<string, number>): Record<string, number> {
  const p = compiled.problem(params);
  const x = Float64Array.from(p.stateNames, (n) => state[n] ?? NaN);
  const out = new Float64Array(x.length);
  p.kernels.update(x, out);
  return Object.fromEntries(p.stateNames.map((n, i) => [n, out[i]]));
}

/** Trapezoidal rule of f on [a, b] with n intervals. */
export function trapezoid(f: (x: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = (f(a) + f(b)) / 2;
  for (let i = 1; i < n; i++) s += f(a + i * h);
  return s * h;
}

/** Simpson's rule of f on [a, b] with n (even) intervals: O(h^4) when f is smooth on each panel pair. */
export function simpson(f: (x: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

export const npdf = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);

/** Relative difference, with an absolute floor for values near zero. */
export const rel = (a: number, b: number, floor = 1e-3) => Math.abs(a - b) / Math.max(Math.abs(b), floor);
