/**
 * Simulation benchmarks: one trial = draw the instance (X, w*, labels) + fit the estimator to its certificate.
 * Times are CPU time of the process in ms (as in run.ts: a descheduled process does not inflate them); the work
 * is single-threaded. Each estimator first runs once at d = 200 so the timed trials see optimised code.
 * Prints nothing: the bench runner formats the results.
 *
 * | name | unit | what |
 * | simulate_<est>_d<d>_n<n>_trial_ms | ms | one trial at the size in CASES (median of `trials`) |
 * | simulate_<est>_d<d>_n<n>_fit_ms | ms | the fit alone, same trials |
 * | simulate_<est>_d<d>_n<n>_certificate | gradient-norm or duality-gap | the certificate reached (largest over trials) |
 * | simulate_<est>_d<d>_n<n>_converged | trials | how many trials reached it (tolerance 1e-8) |
 * | simulate_normals_per_s | M/s | bulk standard normal draws (rng.ts fillNormal), 4M draws |
 *
 * Issue targets: ridge d = 1000, n = 2000 under 1 s per trial; logistic d = 1000, n = 3000 under 5 s.
 */
import { makeInstance, type InstanceSpec, priorOf, channelOf } from '../src/simulate/data.ts';
import { hinge } from '../src/simulate/estimators/hinge.ts';
import { huber } from '../src/simulate/estimators/huber.ts';
import { lasso } from '../src/simulate/estimators/lasso.ts';
import { logistic } from '../src/simulate/estimators/logistic.ts';
import { ridge } from '../src/simulate/estimators/ridge.ts';
import type { Design, Fit } from '../src/simulate/estimators/types.ts';
import { trialStream } from '../src/simulate/rng.ts';
import { cpuMs, median } from './clock.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

interface Case {
  readonly name: string;
  readonly spec: Omit<InstanceSpec, 'seed' | 'd'>;
  readonly d: number;
  readonly trials: number;
  readonly fit: (data: Design) => Fit;
}

const CASES: readonly Case[] = [
  { name: 'ridge', d: 1000, trials: 3, spec: { alpha: 2, prior: priorOf('gaussian'), channel: channelOf('linear', 0.5) }, fit: (x) => ridge(x, 0.1) },
  { name: 'logistic', d: 1000, trials: 3, spec: { alpha: 3, prior: priorOf('gaussian'), channel: channelOf('sign') }, fit: (x) => logistic(x, 0.1) },
  { name: 'hinge', d: 1000, trials: 1, spec: { alpha: 3, prior: priorOf('gaussian'), channel: channelOf('sign') }, fit: (x) => hinge(x, 0.1) },
  {
    name: 'huber', d: 1000, trials: 1,
    spec: { alpha: 3, prior: priorOf('gaussian'), channel: channelOf('outliers', 0.1, 0.1, 10) },
    fit: (x) => huber(x, 0.1, 1),
  },
  {
    name: 'lasso', d: 1000, trials: 1,
    spec: { alpha: 3, prior: priorOf('gauss-bernoulli', 0.2, 0.2), channel: channelOf('linear', 0.01) },
    fit: (x) => lasso(x, 0.1),
  },
];


export async function benchSimulate(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];

  const normals = new Float64Array(4_000_000);
  const rng = trialStream({ master: 1, trial: 0 }, 0);
  rng.fillNormal(normals.subarray(0, 1_000_000)); // warm-up
  const t0 = cpuMs();
  rng.fillNormal(normals);
  results.push({ name: 'simulate_normals_per_s', value: normals.length / (cpuMs() - t0) / 1000, unit: 'M/s' });

  for (const c of CASES) {
    c.fit(makeInstance({ ...c.spec, d: 200, seed: { master: 1, trial: 999 } })); // warm-up
    const trial: number[] = [];
    const fit: number[] = [];
    let certificate = 0;
    let converged = 0;
    let kind = '';
    for (let t = 0; t < c.trials; t++) {
      const start = cpuMs();
      const inst = makeInstance({ ...c.spec, d: c.d, seed: { master: 1, trial: t } });
      const mid = cpuMs();
      const f = c.fit(inst);
      const end = cpuMs();
      trial.push(end - start);
      fit.push(end - mid);
      certificate = Math.max(certificate, f.certificate);
      converged += f.status === 'converged' ? 1 : 0;
      kind = f.certificateKind;
    }
    const n = Math.round(c.spec.alpha * c.d);
    const tag = `${c.name}_d${c.d}_n${n}`;
    results.push(
      { name: `simulate_${tag}_trial_ms`, value: median(trial), unit: 'ms' },
      { name: `simulate_${tag}_fit_ms`, value: median(fit), unit: 'ms' },
      { name: `simulate_${tag}_certificate`, value: certificate, unit: kind },
      { name: `simulate_${tag}_converged`, value: converged, unit: `of ${c.trials} trials` },
    );
  }
  return results;
}
