// saddle as a library, in plain JavaScript (ESM): `npm install saddle-0.1.0.tgz` (or the repository), then
// `node library.mjs`. Every result carries its parameters and where it comes from.
import { closeWorkers, compare, findThreshold, load, loadText, simulate, solve, sweep } from 'saddle';

// One point of a built-in model: a status, the undamped residual, the order parameters and observables.
const ridge = load('ridge');
const s = solve(ridge.problem({ alpha: 2, lambda: 0.1 }));
console.log(`${s.origin.model} at alpha = ${s.params.alpha}: ${s.status} after ${s.iterations} iterations, gen_error = ${s.observables.gen_error.toFixed(6)}`);
console.log(`  model file sha256 ${s.origin.sha256.slice(0, 16)}..., saddle ${s.origin.version}`);

// A curve by continuation: every point is a row with its status, none is dropped.
const rows = sweep(ridge, { lambda: 1e-3 }, { name: 'alpha', values: [0.5, 1, 2, 4] });
for (const r of rows) console.log(`  alpha = ${r.params.alpha}: ${r.solution.status}, gen_error = ${r.solution.observables.gen_error.toFixed(6)}`);

// A threshold: where the training error of ridge at lambda = 1e-3 crosses 0.1.
const t = findThreshold(ridge, { kind: 'level', param: 'alpha', lo: 0.2, hi: 4, fixed: { lambda: 1e-3 }, observable: 'train_error', level: 0.1 });
console.log(`train_error = 0.1 at alpha = ${t.threshold.toFixed(6)} (${t.found ? 'found' : t.message})`);

// Theory against a finite-size simulation of the same model (seeded: the same numbers every run).
const run = simulate(ridge, { alpha: 2, lambda: 0.1 }, 200, 4, 1);
const { rows: checks } = compare(ridge, run, 3);
for (const c of checks) console.log(`  ${c.quantity}: theory ${c.theory.toFixed(4)}, simulation ${c.mean.toFixed(4)} +- ${c.se.toFixed(4)} (z = ${c.z.toFixed(2)})`);
await closeWorkers();

// A model written as text.
const magnet = loadText(`
name: magnet
description: mean-field Ising magnet, m = tanh(beta m + h)
params: { beta: 2, h: 0 }
order_params:
  m: { init: { uninformed: 0.01, informed: 1 } }
updates:
  m: tanh(beta * m + h)
`, 'magnet.yaml');
console.log(`magnet: m = ${solve(magnet.problem({ beta: 2 }), { init: 'informed' }).state.m.toFixed(6)}`);
