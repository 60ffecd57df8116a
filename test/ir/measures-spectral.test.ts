import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { programLatex } from '../../src/ir/latex.ts';
import { qlEigenvalues } from '../../src/numerics/gauss-hermite.ts';
import { marchenkoPasturRule, powerLawRule } from '../../src/numerics/spectral.ts';
import { check } from '../../src/pipeline/load.ts';
import { solve } from '../../src/solve/iterate.ts';

/** Moments of MP(g) (mean 1): the Narayana polynomials sum_j g^j C(k, j) C(k-1, j) / (j + 1). */
function mpMoment(g: number, k: number): number {
  const binom = (n: number, j: number) => { let r = 1; for (let i = 1; i <= j; i++) r = (r * (n - j + i)) / i; return r; };
  let m = 0;
  for (let j = 0; j < k; j++) m += (g ** j * binom(k, j) * binom(k - 1, j)) / (j + 1);
  return m;
}
const sum = (r: { nodes: Float64Array; weights: Float64Array }, f: (x: number) => number) => {
  let s = 0;
  for (let i = 0; i < r.nodes.length; i++) s += r.weights[i] * f(r.nodes[i]);
  return s;
};

describe('the Marchenko-Pastur rule', () => {
  it.each([0.05, 0.25, 0.98, 1, 1.02, 2.5, 10])('ratio %f: its n-point rule integrates the moments of degree <= 2n-1, atom included', (g) => {
    const n = 12;
    const rule = marchenkoPasturRule(g, n);
    expect(rule.nodes.length).toBe(n + 1);
    expect(rule.weights[0]).toBeCloseTo(Math.max(0, 1 - 1 / g), 15);
    expect(rule.nodes[0]).toBe(0);
    expect(sum(rule, () => 1)).toBeCloseTo(1, 14);
    for (let k = 1; k <= 2 * n - 1; k++) expect(Math.abs(sum(rule, (x) => x ** k) / mpMoment(g, k) - 1)).toBeLessThan(1e-12);
    for (let i = 1; i <= n; i++) {
      expect(rule.nodes[i]).toBeGreaterThanOrEqual((1 - Math.sqrt(g)) ** 2 * (1 - 1e-12));
      expect(rule.nodes[i]).toBeLessThanOrEqual((1 + Math.sqrt(g)) ** 2 * (1 + 1e-12));
    }
  });

  it('matches the closed-form Stieltjes transform E[1/(s + c)] (square-root edges, 1/x density, atom)', () => {
    for (const g of [0.3, 1, 3]) {
      for (const c of [0.05, 0.5, 2]) {
        const exact = (Math.sqrt((c + 1 + g) ** 2 - 4 * g) - (1 - g + c)) / (2 * g * c);
        expect(Math.abs(sum(marchenkoPasturRule(g, 200), (x) => 1 / (x + c)) / exact - 1)).toBeLessThan(g === 1 && c === 0.05 ? 1e-9 : 1e-13);
      }
    }
  });

  it('agrees with Golub-Welsch (QL eigenvalues of the Jacobi matrix, Christoffel sums) written out here', () => {
    for (const g of [0.05, 0.3, 0.98, 1, 2.5]) {
      for (const n of [1, 2, 7, 64, 200]) {
        const h = g > 1 ? 1 / g : g;
        const sc = g > 1 ? g : 1;
        const r = Math.sqrt(h);
        const d = new Float64Array(n).fill(1 + h);
        d[0] = 1;
        const e = new Float64Array(n).fill(r);
        e[n - 1] = 0;
        if (n > 1) qlEigenvalues(d, e);
        d.sort();
        const w = Array.from(d, (x) => {
          let prev = 0; let p = 1; let s = 1;
          for (let k = 1; k < n; k++) { const next = ((x - (k === 1 ? 1 : 1 + h)) * p - (k === 1 ? 0 : r * prev)) / r; prev = p; p = next; s += p * p; }
          return 1 / s;
        });
        const total = w.reduce((a, b) => a + b, 0);
        const rule = marchenkoPasturRule(g, n);
        for (let i = 0; i < n; i++) {
          expect(Math.abs(rule.nodes[i + 1] - sc * d[i])).toBeLessThan(1e-14 * sc * (1 + h));
          expect(Math.abs(rule.weights[i + 1] / (((1 - rule.weights[0]) * w[i]) / total) - 1)).toBeLessThan(1e-10);
        }
      }
    }
  });

  it('keeps full relative accuracy for a tiny ratio: the variance g to 1e-12 at g = 1e-8', () => {
    for (const n of [8, 64, 400]) {
      const rule = marchenkoPasturRule(1e-8, n);
      expect(Math.abs(sum(rule, (x) => (x - 1) ** 2) / 1e-8 - 1)).toBeLessThan(1e-12);
    }
  });

  it('is the point mass at 1 for ratio 0, NaN for a negative ratio', () => {
    expect(sum(marchenkoPasturRule(0, 5), (x) => x * x)).toBe(1);
    expect(sum(marchenkoPasturRule(-1, 5), (x) => x)).toBeNaN();
  });
});

describe('the power-law rule', () => {
  const zeta = (s: number) => { // Euler-Maclaurin with 1e5 terms: exact to ~1e-16 for s >= 2
    const N = 100_000;
    let z = 0;
    for (let k = N; k >= 1; k--) z += k ** -s;
    return z + N ** (1 - s) / (s - 1) - N ** -s / 2 + (s * N ** (-s - 1)) / 12;
  };
  // sum_k k^-w (k^-a)^p = zeta(w + a p)
  it.each([[2, 0, 1], [1.5, 0, 1], [2, 2, 0], [3, 1, 1], [1.2, 1.6, 0.5]])('a=%f, weights k^-%f: sum_k w_k (k^-a)^%f is zeta', (a, w, p) => {
    expect(Math.abs(sum(powerLawRule(a, w), (x) => x ** p) / zeta(w + a * p) - 1)).toBeLessThan(1e-13);
  });

  it('a body that switches on at an eigenvalue far in the tail (lambda/(lambda + kappa), kappa = 1e-10)', () => {
    const a = 2;
    const kappa = 1e-10;
    // Reference: the sum over k <= 2e7 directly, then the tail (lambda_k / kappa < 3e-5) by its expansion.
    const K = 2e7;
    let ref = 0;
    for (let k = K; k >= 1; k--) { const l = k ** -a; ref += l / (l + kappa); }
    const k0 = K + 0.5;
    ref += k0 ** (1 - a) / ((a - 1) * kappa) - k0 ** (1 - 2 * a) / ((2 * a - 1) * kappa ** 2);
    expect(Math.abs(sum(powerLawRule(a, 0), (l) => l / (l + kappa)) / ref - 1)).toBeLessThan(2e-12);
  }, 60_000);

  it('sums the first M modes exactly when truncated, and integrates the tail of a large truncation', () => {
    let direct = 0;
    for (let k = 1; k <= 500; k++) direct += k ** -2.5;
    expect(sum(powerLawRule(2.5, 0, 500), (l) => l)).toBeCloseTo(direct, 15);
    const M = 1e9; // sum_{k<=M} k^-2 = zeta(2) - (1/(M+1/2) + O(M^-3))
    expect(Math.abs(sum(powerLawRule(2, 0, M), (l) => l) - (Math.PI ** 2 / 6 - 1 / (M + 0.5)))).toBeLessThan(1e-13);
    expect(powerLawRule(0, 0).weights[0]).toBeNaN();
  });
});

describe('spectral laws in a model file', () => {
  const model = (variables: string, updates = 'x: E(s, s)') => `name: spectral
description: spectral laws
params:
  g: { default: 2 }
  a: { default: 2 }
  r: { default: 0.5 }
order_params:
  x: { init: { uninformed: 0, informed: 0 } }
variables:
  z: normal
${variables}
updates:
  ${updates}
`;

  it('integrates over a declared Marchenko-Pastur law, its ratio an expression, E(s, 1) = 1, moments exact', () => {
    const { compiled, issues } = check('m.yaml', model('  s: { law: marchenko-pastur, ratio: g / 2, nodes: 30 }', 'x: E(s, s^3) + E(s, 1)'));
    expect(issues).toEqual([]);
    const sol = solve(compiled!.problem({ g: 3 }));
    expect(sol.state.x).toBeCloseTo(mpMoment(1.5, 3) + 1, 12);
    const tex = programLatex(compiled!.program).variables.map((v) => v.tex).join('\n');
    expect(tex).toContain('\\mathrm{MP}');
  });

  it('sums over a declared power law, teacher-weighted with a source', () => {
    const { compiled, issues } = check('m.yaml', model('  l: { law: power-law, capacity: a }\n  lt: { law: power-law, capacity: a, source: r, weights: teacher }', 'x: E(l, l) - E(lt, 1)'));
    expect(issues).toEqual([]);
    // a = 2, r = 0.5: sum k^-2 - sum k^-(1 + 2) = zeta(2) - zeta(3)
    expect(solve(compiled!.problem()).state.x).toBeCloseTo(Math.PI ** 2 / 6 - 1.2020569031595942, 11);
  });

  it('reports a spectral law without its parameters, with bad weights, or a source without teacher weights, where written', () => {
    const bad = (v: string) => check('m.yaml', model(v)).issues;
    expect(bad('  s: { law: marchenko-pastur }')[0]).toMatchObject({ code: 'bad-value', line: 11, message: expect.stringContaining('needs `ratio:`') });
    expect(bad('  s: { law: power-law, capacity: a, weights: teachr }')[0]).toMatchObject({ code: 'bad-value', line: 11, message: expect.stringContaining('`weights`') });
    expect(bad('  s: { law: power-law, capacity: a, source: r }')[0]).toMatchObject({ code: 'bad-value', line: 11, message: expect.stringContaining('weights: teacher') });
    expect(bad('  s: { law: wishart }')[0]).toMatchObject({ code: 'bad-value', message: expect.stringContaining('unknown law'), hint: expect.stringContaining('marchenko-pastur') });
  });

  it('computes an expectation that reads only parameters once per Problem, not in every update', () => {
    const { compiled } = check('m.yaml', model('  s: { law: marchenko-pastur, ratio: g, nodes: 30 }', 'x: x / 2 + E(z, z * erf(a * z)) + E(s, s^2)'));
    const source = compiled!.source;
    const update = source.slice(source.indexOf('function update'));
    expect(update).not.toContain('for (');
    expect(source.slice(0, source.indexOf('function update'))).toContain('S_mpRule(');
    const sol = solve(compiled!.problem({ g: 0.5, a: 1 }));
    // x = 2 (E z erf(z) + E s^2) = 2 (2/sqrt(3 pi) + 1 + g)
    expect(sol.state.x).toBeCloseTo(2 * (2 / Math.sqrt(3 * Math.PI) + 1.5), 8); // to the solver's tolerance
  });
});

describe('an empirical spectrum read from a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'saddle-spectrum-'));
  const spectrum = (name: string, text: string) => { writeFileSync(join(dir, name), text); return name; };
  const model = (variables: string, updates: string) => `name: spectrum
description: an empirical spectrum
params:
  n: { default: 300 }
  a: { default: 2 }
  r: { default: 0.3 }
order_params:
  x: { init: { uninformed: 0, informed: 0 } }
  y: { init: { uninformed: 0, informed: 0 } }
variables:
${variables}
updates:
${updates}
`;
  const load = (text: string) => check(join(dir, 'model.yaml'), text);

  it('averages, sums and teacher-weights over its entries exactly, in generated code and the interpreter alike', () => {
    const M = 1000;
    // the power law k^-2 with teacher weights k^-(1 + 2 a r), as a user would write it from a kernel's eigendecomposition
    const lines = ['# eigenvalue, teacher weight', 'lambda teacher'];
    let mean = 0;
    for (let k = 1; k <= M; k++) { lines.push(`${k ** -2} ${k ** -(1 + 2 * 2 * 0.3)}`); mean += k ** -2 / M; }
    spectrum('pl.txt', lines.join('\n'));
    const { compiled, issues } = load(model(
      '  u: { law: spectrum, file: pl.txt }\n  ev: { law: spectrum, file: pl.txt, weights: modes }\n  et: { law: spectrum, file: pl.txt, weights: teacher }',
      '  x: E(u, u) + E(u, 1)\n  y: E(ev, ev / (ev + 1e-5)) + E(et, 1 / (et + 1e-5)^2)'));
    expect(issues).toEqual([]);
    const sol = solve(compiled!.problem());
    expect(sol.state.x).toBeCloseTo(mean + 1, 14);
    // the same sums from the power-law measure truncated to M modes: the same numbers
    const pl = load(model('  l: { law: power-law, capacity: a, modes: 1000 }\n  lt: { law: power-law, capacity: a, source: r, weights: teacher, modes: 1000 }',
      '  x: 0\n  y: E(l, l / (l + 1e-5)) + E(lt, 1 / (lt + 1e-5)^2)'));
    expect(Math.abs(sol.state.y / solve(pl.compiled!.problem()).state.y - 1)).toBeLessThan(1e-14);
  });

  it('reports a missing file, a bad entry, a missing teacher column and too many columns at the `file:` of the model', () => {
    spectrum('bad.txt', '1\n0.5\nabc\n');
    spectrum('one.txt', '1\n0.5\n');
    spectrum('three.txt', '1 2 3\n');
    const issue = (v: string) => load(model(v, '  x: E(s, s)\n  y: 0')).issues[0];
    expect(issue('  s: { law: spectrum, file: missing.txt }')).toMatchObject({ code: 'bad-value', line: 11, message: expect.stringContaining('cannot read the spectrum file') });
    expect(issue('  s: { law: spectrum, file: bad.txt }')).toMatchObject({ line: 11, message: expect.stringContaining('line 3 of the spectrum file') });
    expect(issue('  s: { law: spectrum, file: one.txt, weights: teacher }')).toMatchObject({ line: 11, message: expect.stringContaining('second column') });
    expect(issue('  s: { law: spectrum, file: three.txt }')).toMatchObject({ message: expect.stringContaining('at most 2') });
    expect(issue('  s: { law: spectrum }')).toMatchObject({ message: expect.stringContaining('needs `file:`') });
  });

  it('writes the identity of its data into the source (compiled models are keyed by their source)', () => {
    spectrum('a.txt', '1\n2\n');
    spectrum('b.txt', '1\n3\n');
    const source = (f: string) => load(model(`  s: { law: spectrum, file: ${f} }`, '  x: E(s, s)\n  y: 0')).compiled!.source;
    expect(source('a.txt')).not.toBe(source('b.txt'));
    expect(source('a.txt')).not.toContain('a.txt');
  });

  it('keeps a million entries as a table of the generated code, not as source text', () => {
    const M = 1_000_000;
    const lines: string[] = new Array(M);
    for (let i = 0; i < M; i++) lines[i] = String((i + 1) / M);
    spectrum('big.txt', lines.join('\n'));
    const { compiled, issues } = load(model('  s: { law: spectrum, file: big.txt }', '  x: E(s, s * x) / 2 + E(s, s)\n  y: 0'));
    expect(issues).toEqual([]);
    expect(compiled!.source.length).toBeLessThan(20_000);
    const sol = solve(compiled!.problem());
    expect(sol.status).toBe('converged');
    // x = E s / (1 - E s / 2) with E s = (M + 1) / (2M)
    const Es = (M + 1) / (2 * M);
    expect(sol.state.x).toBeCloseTo(Es / (1 - Es / 2), 10);
  }, 60_000);
});
