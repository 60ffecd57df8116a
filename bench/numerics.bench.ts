/**
 * Micro-benchmarks for the numerics core. Prints nothing: the bench runner formats the results.
 */
import { buildGaussHermite } from '../src/numerics/gauss-hermite.ts';
import { logH, mills } from '../src/numerics/special.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

/** Keeps results observable so the JIT cannot drop the measured calls. */
let sink = 0;

/** Median of `rounds` timings of `body` (ms each); median resists GC pauses and scheduler noise. */
function medianMs(rounds: number, body: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    body();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** ns per call of a scalar function over a fixed spread of arguments covering all its branches. */
function nsPerCall(fn: (x: number) => number, xs: Float64Array): number {
  const pass = (): void => {
    let acc = 0;
    for (let i = 0; i < xs.length; i++) acc += fn(xs[i]);
    sink += acc;
  };
  for (let w = 0; w < 20; w++) pass(); // warm up: let the JIT optimise fn and the loop
  return (medianMs(15, pass) * 1e6) / xs.length;
}

export async function benchNumerics(): Promise<BenchResult[]> {
  // Uncached builder, so every round really builds the rule; the warm-up rounds absorb JIT tiers.
  for (let w = 0; w < 10; w++) sink += buildGaussHermite(200).weights[0];
  const buildMs = medianMs(31, () => {
    sink += buildGaussHermite(200).weights[100];
  });

  // Arguments from the left tail to far in the right tail (−10..40), deterministic.
  const xs = new Float64Array(100_000);
  for (let i = 0; i < xs.length; i++) xs[i] = -10 + (50 * i) / (xs.length - 1);

  const results: BenchResult[] = [
    { name: 'gauss_hermite_200_build', value: buildMs, unit: 'ms' },
    { name: 'logH_per_call', value: nsPerCall(logH, xs), unit: 'ns' },
    { name: 'mills_per_call', value: nsPerCall(mills, xs), unit: 'ns' },
  ];
  if (Number.isNaN(sink)) results.push({ name: 'numerics_sink_nan', value: sink, unit: '' }); // never expected
  return results;
}
