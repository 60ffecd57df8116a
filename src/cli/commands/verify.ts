import { UsageError } from '../../base/errors.ts';
import { writeFileAtomic } from '../../io/files.ts';
import { fmt, textTable } from '../../report/table.ts';
import { jsonNumbers } from '../../io/json.ts';
import { compare, RESOLUTION, type Comparison } from '../../verify/compare.ts';
import { compareTrajectory } from '../../verify/trajectory.ts';
import { closeWorkers, simulateParallel, type SimulationRun } from '../../simulate/run.ts';
import { simulateTrajectory, type SimulatedTrajectory } from '../../simulate/trajectory.ts';
import type { Compiled } from '../../compile/compile.ts';
import type { LoadedModel } from '../../pipeline/load.ts';
import { VERSION } from '../../base/version.ts';
import { AT_MOST_ONE, gridPoints, sweepAxes } from '../../pipeline/plan/axes.ts';
import { checkInit } from '../../pipeline/plan/inits.ts';
import { outputFile } from '../../pipeline/plan/outputs.ts';
import { paramsPlan } from '../../pipeline/plan/params.ts';
import { checkSimulationSize, MAX_DIMENSION, simulationOptions, simulationPlan, workersPlan } from '../../pipeline/plan/simulation.ts';
import { solverPlan } from '../../pipeline/plan/solver.ts';
import { integerOption, listOption, numberOption, repeated, stringOption, type OptionValues } from '../../pipeline/plan/values.ts';
import { EXIT } from '../exit.ts';
import { modelArgument, parse, PRIOR_HELP, SOLVER_OPTIONS } from '../options.ts';
import { Progress } from '../progress.ts';

const COMMON = `  --set a=1,b=2       parameter values (repeatable); the others keep their defaults
  --param NAME=START:STOP:COUNT[:log]   a line of points instead of one
  --simulate d=D,trials=T[,seed=S]   the simulation plan, written as for \`saddle sweep --simulate\`; or
                      its keys as options of their own:
  --d D               dimension of each instance (n = round(alpha d) samples, at least 1); required, an
                      integer from 2 to 1000000 (one trial's data, n x d, at most 2^28 numbers)
  --trials T          seeded trials per point, from 2 to 100000 (default 8)
  --seed S            master seed, an integer in [0, 2^32 - 1] (default 1); trial t of a run uses the
                      stream (S, t), so the same command gives the same numbers bit for bit
  --workers N         worker threads for the trials (default: the number of cores; 1 runs in-process).
                      A trial's numbers depend only on its seed, not on the worker that ran it
${PRIOR_HELP}`;

export const SIMULATE_HELP = `saddle simulate MODEL --d D [options]   (or --simulate d=D,trials=T[,seed=S])

Run the finite-size experiment of MODEL's \`simulation:\` section (teacher, channel, estimator solved to its
optimality certificate, measurements named after the theory quantities) and report the mean and standard
error of every measured quantity over the trials.

Options:
${COMMON}
  --trajectory T      (estimator gamp) stop GAMP after T iterations and report every iterate t = 0..T: per
                      quantity measurable from the overlaps (m, q, mse, gen_error...), the mean +- se over
                      the trials of GAMP's t-th iterate. The simulation only; \`saddle verify --trajectory T\`
                      puts the state evolution next to it, with z-scores
  --json              one JSON object per point: {"model", "params", "d", "n", "seed", "trials", "summary":
                      {quantity: {mean, se, trials}}, "runs": [{trial, converged, certificate, iterations,
                      time, values}]}; with --trajectory also "iterations" and "steps": [{t, summary}],
                      and each run's "trajectory": {quantity: [value at t = 0..T]}
  --out FILE.json     write the same JSON (an array over points) to a file (whole: a temporary file renamed)

Exit codes: 0 every estimator reached its certificate, 3 some did not (their trials are left out of the
means and listed), 2 bad input.`;

export const VERIFY_HELP = `saddle verify MODEL --d D [options]   (or --simulate d=D,trials=T[,seed=S])

Compare the theory (the model's fixed point) with its simulation: per point and quantity, the theory value,
the simulation mean and standard error, the z-score (mean - theory)/se and the relative deviation.

Options:
${COMMON}
  --sizes 250,500,1000  run at each size too and report whether the deviation shrinks as d grows
  --tolerance Z       largest accepted |z| (default 4: a 4-sigma deviation by chance has probability 6e-5
                      per quantity, so a table of ~10 comparisons passes by chance with probability ~1 - 6e-4)
  --init NAME         the theory's start (default: uninformed)
  --trajectory T      (estimator gamp) compare GAMP with its state evolution at every iteration t = 0..T
                      instead of at the fixed point: per quantity, the theory q_t (from q_0 = 0, GAMP's
                      uninformative start) against the mean +- se of GAMP's t-th iterate over the trials
  --json              print {"model", "pass", "tolerance", "points": [{params, d, seed, trials, theory status,
                      "rows": [{quantity, theory, mean, se, z, relative, pass}]}]}; with --trajectory each
                      point has "steps": [{t, rows}] instead of "rows"
  --damping, --tol, --max-iterations, --anderson   as for \`saddle solve\`, for the theory

Exit codes: 0 every |z| <= Z (and every estimator converged), 1 some |z| > Z: theory and simulation disagree,
3 the theory did not converge at some point, 2 bad input.`;

/** The points simulated and how: the simulation plan, the worker threads. */
interface Plan { points: Record<string, number>[]; d: number; trials: number; seed: number; workers: number }

function plan(values: OptionValues, compiled: LoadedModel): Plan {
  const given = values.simulate !== undefined;
  if (given && ['d', 'trials', 'seed'].some((k) => values[k] !== undefined)) {
    throw new UsageError('give the simulation plan once: --simulate d=D,trials=T[,seed=S], or --d D --trials T --seed S');
  }
  const sim = given ? simulationPlan(compiled, String(values.simulate)) : simulationOptions(compiled, values);
  const { fixed } = paramsPlan(compiled, values.set as string[] | undefined);
  const points = gridPoints(fixed, sweepAxes(compiled, fixed, repeated(values.param), AT_MOST_ONE));
  checkSimulationSize(compiled, points, sim.d, given ? '--simulate' : '--d');
  return { points, d: sim.d, trials: sim.trials, seed: sim.seed, workers: workersPlan(values.workers, sim.trials) };
}

const OPTIONS = {
  ...SOLVER_OPTIONS, param: { type: 'string' as const, multiple: true }, simulate: { type: 'string' as const }, d: { type: 'string' as const },
  trials: { type: 'string' as const }, seed: { type: 'string' as const }, json: { type: 'boolean' as const }, workers: { type: 'string' as const },
};

/** Where the numbers of an output come from: the model, its file's sha256 and its data files', saddle's version. */
const originJson = (compiled: Compiled) => ({
  model: compiled.program.info.name, file: compiled.program.info.file, model_sha256: compiled.program.info.sha256,
  data_sha256: compiled.program.info.data ?? [], saddle_version: VERSION,
});
const runJson = (compiled: Compiled, r: SimulationRun) => ({
  ...originJson(compiled), params: r.params, d: r.d, n: r.trials[0]?.n, seed: r.seed, trials: r.trials.length, summary: r.summary,
  runs: r.trials.map((t) => ({
    trial: t.seed.trial, converged: t.converged, certificate: t.certificate, iterations: t.iterations, time: t.time, values: t.values,
    ...(t.message !== undefined && { message: t.message }), ...(t.trajectory && { trajectory: t.trajectory }),
  })),
});

export async function runSimulate(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, { ...OPTIONS, out: { type: 'string' }, trajectory: { type: 'string' } });
  if (values.help) { out(SIMULATE_HELP); return EXIT.ok; }
  const compiled = modelArgument(positionals, 'simulate', values);
  const outFile = stringOption(values.out);
  if (outFile !== undefined) outputFile(outFile, '--out', ['.json'], 'simulate writes JSON');
  const p = plan(values, compiled);
  const iterations = trajectoryLength(values.trajectory);
  const progress = new Progress(p.points.length * p.trials);
  const onTrial = (t: { seed: { trial: number }; converged: boolean }) => progress.tick(`trial ${t.seed.trial}`, t.converged);
  const runs: SimulationRun[] = [];
  const paths: SimulatedTrajectory['steps'][] = [];
  try {
    for (const params of p.points) {
      if (iterations === undefined) runs.push(await simulateParallel(compiled, params, p.d, p.trials, p.seed, p.workers, onTrial));
      else {
        const s = await simulateTrajectory(compiled, params, { d: p.d, trials: p.trials, seed: p.seed, iterations, workers: p.workers, onTrial });
        runs.push(s.run);
        paths.push(s.steps);
      }
    }
  } finally {
    await closeWorkers();
  }
  const json = runs.map((r, i) => ({ ...runJson(compiled, r), ...(paths[i] && { iterations, steps: paths[i] }) }));
  if (values.json) out(JSON.stringify(json.length === 1 ? json[0] : json, jsonNumbers));
  else {
    for (const [i, r] of runs.entries()) {
      const failed = r.trials.filter((t) => !t.converged).length;
      out(`params ${Object.entries(r.params).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}  d=${r.d} n=${r.trials[0]?.n} seed=${r.seed} trials=${r.trials.length}${failed ? ` (${failed} did not converge, left out)` : ''}`);
      if (!paths[i]) out(textTable(['quantity', 'mean', 'se'], Object.entries(r.summary).map(([k, s]) => [k, s.mean, s.se])));
      else {
        // one row per iterate: each quantity's mean over the trials and its standard error
        const quantities = Object.keys(paths[i][0]?.summary ?? {});
        out(`GAMP iterate t = 0..${iterations}: mean and standard error over the trials (saddle verify --trajectory adds the state evolution)`);
        out(textTable(['t', ...quantities.flatMap((k) => [k, `${k}_se`])], paths[i].map((s) => [s.t, ...quantities.flatMap((k) => [s.summary[k].mean, s.summary[k].se])])));
      }
    }
  }
  // Written after the results are printed: should the disk be full, they are at least on the terminal.
  if (outFile !== undefined) writeFileAtomic(outFile, `${JSON.stringify(json, jsonNumbers, 1)}\n`);
  return runs.every((r) => r.trials.every((t) => t.converged)) ? EXIT.ok : EXIT.notConverged;
}

/** `--trajectory T`: a number of GAMP iterations (undefined when the option is absent). */
function trajectoryLength(value: unknown): number | undefined {
  return integerOption(value, '--trajectory', 1, 100_000, 'a number of GAMP iterations, an integer from 1 to 100000');
}

export async function runVerify(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, { ...OPTIONS, sizes: { type: 'string' }, tolerance: { type: 'string' }, trajectory: { type: 'string' } });
  if (values.help) { out(VERIFY_HELP); return EXIT.ok; }
  const compiled = modelArgument(positionals, 'verify', values);
  const p = plan(values, compiled);
  const tolerance = numberOption(values.tolerance, '--tolerance', (x) => x > 0, 'a positive number') ?? 4;
  const init = stringOption(values.init);
  if (init !== undefined) checkInit(compiled, init);
  if (values.trajectory !== undefined) {
    const iterations = trajectoryLength(values.trajectory);
    if (values.sizes !== undefined) throw new UsageError('--trajectory and --sizes do not combine', 'run one, then the other');
    return verifyTrajectory(compiled, p, iterations!, tolerance, values, out);
  }
  const sizes = (listOption(values.sizes) ?? []).map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 2 || v > MAX_DIMENSION) throw new UsageError(`--sizes: \`${s}\` is not an integer from 2 to ${MAX_DIMENSION}`, 'e.g. --sizes 250,500,1000');
    checkSimulationSize(compiled, p.points, v, '--sizes');
    return v;
  });
  const options = { ...solverPlan(values), init: init ?? 'uninformed' };
  const progress = new Progress(p.points.length * p.trials * (1 + sizes.length));
  const tick = (t: { seed: { trial: number }; converged: boolean }) => progress.tick(`trial ${t.seed.trial}`, t.converged);
  let theoryFailed = false;
  let estimatorFailed = false;
  const points = [];
  try {
    for (const params of p.points) {
      const run = await simulateParallel(compiled, params, p.d, p.trials, p.seed, p.workers, tick);
      const { solution, rows } = compare(compiled, run, tolerance, options);
      if (solution.status !== 'converged') theoryFailed = true;
      if (run.trials.some((t) => !t.converged)) estimatorFailed = true;
      const bySize = [];
      for (const d of sizes) {
        const r = await simulateParallel(compiled, params, d, p.trials, p.seed, p.workers, tick);
        bySize.push({ d, rows: compare(compiled, r, tolerance, options).rows });
      }
      points.push({ params: run.params, d: p.d, seed: p.seed, trials: p.trials, theory: solution.status, rows, bySize });
    }
  } finally {
    await closeWorkers();
  }
  const pass = points.every((pt) => pt.rows.every((r) => r.pass));
  if (values.json) {
    out(JSON.stringify({ ...originJson(compiled), pass, tolerance, points }, jsonNumbers));
  } else {
    for (const pt of points) {
      out(`params ${Object.entries(pt.params).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}  d=${pt.d} trials=${pt.trials} seed=${pt.seed}  theory: ${pt.theory}`);
      out(textTable(['quantity', 'theory', 'simulation', 'se', 'z', 'relative', ''], pt.rows.map((r: Comparison) =>
        [r.quantity, r.theory, r.mean, r.se, r.z, r.relative, verdict(r, tolerance)])));
      if (pt.bySize.length) {
        const all = [...pt.bySize, { d: pt.d, rows: pt.rows }].sort((a, b) => a.d - b.d);
        out('relative deviation by size (|mean - theory| / |theory|):');
        out(textTable(['quantity', ...all.map((s) => `d=${s.d}`), 'shrinks'], pt.rows.map((r, i) => {
          const devs = all.map((s) => Math.abs(s.rows[i].relative));
          return [r.quantity, ...devs, devs[devs.length - 1] < devs[0] ? 'yes' : 'no'];
        })));
      }
      out('');
    }
    const resolved = points.some((pt) => pt.rows.some((r) => r.pass && !(Math.abs(r.z) <= tolerance)));
    out(pass ? `verify: every |z| <= ${tolerance}${resolved ? ` or |mean - theory| <= ${RESOLUTION} max(1, |theory|)` : ''}`
      : `verify: theory and simulation disagree (|z| > ${tolerance}) at the rows marked above`);
  }
  if (!pass) return EXIT.disagree;
  if (theoryFailed || estimatorFailed) return EXIT.notConverged;
  return EXIT.ok;
}

/** `saddle verify --trajectory T`: GAMP's iterates against the state evolution, step by step (verify/trajectory.ts). */
async function verifyTrajectory(compiled: Compiled, p: Plan, iterations: number, tolerance: number, values: OptionValues,
  out: (s: string) => void): Promise<number> {
  const progress = new Progress(p.points.length * p.trials);
  const init = values.init as string | undefined;
  const points = [];
  try {
    for (const params of p.points) {
      const c = await compareTrajectory(compiled, params, {
        d: p.d, trials: p.trials, seed: p.seed, iterations, tolerance, workers: p.workers, ...(init !== undefined && { init }),
        onTrial: (t) => progress.tick(`trial ${t.seed.trial}`, t.converged),
      });
      points.push({ params: c.run.params, d: p.d, seed: p.seed, trials: p.trials, failed: c.run.trials.filter((t) => !t.converged).length, pass: c.pass, steps: c.steps });
    }
  } finally {
    await closeWorkers();
  }
  const pass = points.every((pt) => pt.pass);
  if (values.json) {
    out(JSON.stringify({ ...originJson(compiled), pass, tolerance, iterations, points }, jsonNumbers));
  } else {
    for (const pt of points) {
      out(`params ${Object.entries(pt.params).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}  d=${pt.d} trials=${pt.trials} seed=${pt.seed}`
        + `${pt.failed ? ` (${pt.failed} failed, left out)` : ''}  GAMP iterate t against state evolution step t (q_0 = 0)`);
      for (const [i, row] of (pt.steps[0]?.rows ?? []).entries()) {
        out(`${row.quantity}:`);
        out(textTable(['t', 'theory', 'simulation', 'se', 'z', ''], pt.steps.map((s) => {
          const r = s.rows[i];
          return [s.t, r.theory, r.mean, r.se, r.z, verdict(r, tolerance)];
        })));
      }
      out('');
    }
    out(pass ? `verify: every |z| <= ${tolerance} at every iteration` : `verify: GAMP and its state evolution disagree (|z| > ${tolerance}) at the rows marked above`);
  }
  if (!pass) return EXIT.disagree;
  return points.some((pt) => pt.failed > 0) ? EXIT.notConverged : EXIT.ok;
}

/** A row's last column: ok, ok by the resolution (a deviation below RESOLUTION whatever its z), or the failure. */
function verdict(r: Comparison, tolerance: number): string {
  if (!r.pass) return `|z| > ${tolerance}`;
  return Math.abs(r.z) <= tolerance ? 'ok' : `ok: |mean - theory| <= ${RESOLUTION}`;
}
