/**
 * GAMP benchmarks (issue target: d = 2000, n = 4000, 50 iterations under 3 s). GAMP calls the model's compiled
 * fa, fv, gout, dgout per coordinate (src/simulate/gamp.ts); the baseline is the same algorithm hand-written
 * for one model (Gaussian prior, sign channel: perceptron-bayes), the pieces inlined, on the same instance and
 * the same linear-algebra kernels. Times are CPU time of the process in ms (as in run.ts), median of 3 runs after
 * a warm-up. Prints nothing: the bench runner formats the results.
 *
 * | name | unit | what |
 * | gamp_perceptron_d2000_n4000_50it_ms | ms | 50 undamped GAMP iterations on perceptron-bayes at alpha = 2 (target < 3000) |
 * | gamp_perceptron_d2000_n4000_per_iteration_ms | ms | the same, per iteration |
 * | gamp_perceptron_handwritten_50it_ms | ms | the hand-written baseline, 50 iterations |
 * | gamp_compiled_vs_handwritten | ratio | compiled pieces / hand-written (1 = no overhead for the generality) |
 * | gamp_matvec_pair_ms | ms | one F a and one F^T g at this size: the floor of one iteration |
 * | gamp_cs_d2000_n1000_converge_ms | ms | cs-bayes (rho = 0.2, Delta = 1e-4, alpha = 0.5) to convergence (tol 1e-8) |
 * | gamp_cs_d2000_n1000_iterations | iterations | its iteration count |
 */
import { loadModel } from '../src/pipeline/load.ts';
import { drawSamples, drawTeacher, makeInstance, priorOf, channelOf } from '../src/simulate/data.ts';
import { gamp, glmFunctions } from '../src/simulate/gamp.ts';
import { matTVec, matVec } from '../src/simulate/linalg.ts';
import { mills } from '../src/numerics/special.ts';
import { cpuMs, median } from './clock.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}


function timed(f: () => unknown, reps = 3): number {
  f(); // warm-up
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = cpuMs();
    f();
    ts.push(cpuMs() - t0);
  }
  return median(ts);
}

/**
 * Plain GAMP for a Gaussian prior N(0, 1) and the noiseless sign channel, written out: fa = B/(1 + A),
 * fv = 1/(1 + A); with x = y omega / sqrt(V), gout = y mills(-x) / sqrt(V) and dgout = -gout (omega/V + gout)
 * (the derivative of the log-domain Zout = H(-x)). The same iteration as gamp.ts at damping 1.
 */
function handwrittenGamp(X: Float64Array, y: Float64Array, n: number, d: number, iterations: number): Float64Array {
  const a = new Float64Array(d);
  const v = new Float64Array(d).fill(1);
  const omega = new Float64Array(n);
  const g = new Float64Array(n);
  const B = new Float64Array(d);
  const scale = 1 / Math.sqrt(d);
  for (let t = 0; t < iterations; t++) {
    let V = 0;
    for (let i = 0; i < d; i++) V += v[i];
    V = Math.max(V / d, 1e-12);
    const sV = Math.sqrt(V);
    matVec(X, n, d, a, omega, scale);
    let dg = 0;
    for (let mu = 0; mu < n; mu++) {
      const w = omega[mu] - V * g[mu];
      const x = (y[mu] * w) / sV;
      const gm = (y[mu] * mills(-x)) / sV;
      dg += -gm * (w / V + gm);
      g[mu] = gm;
    }
    const A = -dg / d;
    matTVec(X, n, d, g, B, scale);
    for (let i = 0; i < d; i++) {
      a[i] = (B[i] + A * a[i]) / (1 + A);
      v[i] = 1 / (1 + A);
    }
  }
  return a;
}

export async function benchGamp(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const perceptron = loadModel('equations/perceptron-bayes.yaml').problem({ alpha: 2 });
  const fns = glmFunctions(perceptron.kernels.functions);
  const inst = makeInstance({ d: 2000, alpha: 2, prior: priorOf('gaussian'), channel: channelOf('sign'), seed: { master: 1, trial: 0 } });
  const { X, y, n, d } = inst;

  const compiled = timed(() => gamp(inst, fns, { maxIterations: 50, tol: 0, adaptive: false }));
  const hand = timed(() => handwrittenGamp(X, y, n, d, 50));
  const a = gamp(inst, fns, { maxIterations: 50, tol: 0, adaptive: false }).w;
  const b = handwrittenGamp(X, y, n, d, 50);
  let diff = 0;
  for (let i = 0; i < d; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  if (!(diff < 1e-6)) throw new Error(`bench: the hand-written GAMP differs from the compiled one by ${diff}`);
  const u = new Float64Array(d);
  const w = new Float64Array(n);
  const pair = timed(() => {
    for (let k = 0; k < 10; k++) {
      matVec(X, n, d, u, w, 1);
      matTVec(X, n, d, w, u, 1);
    }
  }) / 10;
  results.push(
    { name: 'gamp_perceptron_d2000_n4000_50it_ms', value: compiled, unit: 'ms' },
    { name: 'gamp_perceptron_d2000_n4000_per_iteration_ms', value: compiled / 50, unit: 'ms' },
    { name: 'gamp_perceptron_handwritten_50it_ms', value: hand, unit: 'ms' },
    { name: 'gamp_compiled_vs_handwritten', value: compiled / hand, unit: 'ratio' },
    { name: 'gamp_matvec_pair_ms', value: pair, unit: 'ms' },
  );

  const cs = loadModel('equations/cs-bayes.yaml').problem({ alpha: 0.5, rho: 0.2, Delta: 1e-4 });
  const csFns = glmFunctions(cs.kernels.functions);
  const seed = { master: 1, trial: 0 };
  const teacher = drawTeacher(priorOf('gauss-bernoulli', 0.2, 0.2), 2000, seed).map((x) => x / Math.sqrt(0.2));
  const data = drawSamples(channelOf('linear', 1e-4), teacher, 1000, seed);
  let iterations = 0;
  const converge = timed(() => { iterations = gamp(data, csFns).iterations; });
  results.push(
    { name: 'gamp_cs_d2000_n1000_converge_ms', value: converge, unit: 'ms' },
    { name: 'gamp_cs_d2000_n1000_iterations', value: iterations, unit: 'iterations' },
  );
  return results;
}
