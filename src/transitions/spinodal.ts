import { bisectPredicate } from '../numerics/roots.ts';
import { fold } from './fold.ts';
import { converged, continuation, JUMP_FRACTION, refineJumps, scanValues, type ScanPoint } from './scan.ts';
import { stateOf, valueOf, type Search } from './search.ts';
import { movingStart, type Start } from './starts.ts';
import type { Outcome, ThresholdSpec } from './threshold.ts';

const fmt = (x: number) => String(+x.toPrecision(10));

/**
 * Where the branch followed by continuation from a start ceases to exist and jumps (the algorithmic threshold when
 * the start is uninformed). The scan follows the branch (forward, or backward for a high branch followed down),
 * refines it where it moves fast until each jump is isolated (scan.ts), and examines the candidates in the order
 * followed: the first that is a jump is the spinodal. A candidate is refined by Newton's method on the fold
 * conditions when the model has one carried order parameter (fold.ts), else (or if Newton fails) by bisection on
 * "the branch continued from the near side stays on it"; it is a jump only if a gap of at least a quarter of the
 * step survives the refinement (a steep but continuous branch closes its gap).
 */
export function spinodal(search: Search, spec: ThresholdSpec & { tol: number }, quantity: string): Outcome {
  const backward = spec.direction === 'backward';
  const start: Start = spec.init !== undefined ? { name: spec.init, init: spec.init } : movingStart(search.at(backward ? spec.hi : spec.lo), backward);
  search.init = start.name;
  search.stage = 'scan';
  const coarse = continuation(search, scanValues(spec.lo, spec.hi, spec.scan ?? 24, backward), start);
  const { points, candidates } = refineJumps(search, coarse, quantity, start);
  const range = `[${spec.lo}, ${spec.hi}]`;
  const good = points.filter(converged);
  const ys = good.map((q) => valueOf(q.solution, quantity));
  const moved = ys.length >= 2 && Math.max(...ys) > Math.min(...ys);
  if (!moved) {
    const failed = points.find((q) => !converged(q));
    if (good.length < 2 && failed) {
      return { status: failed.solution.status, init: start.name, message: `the branch from \`${start.name}\` could not be followed: the solve at ${spec.param} = ${fmt(failed.p)} ended ${failed.solution.status}${failed.solution.message ? ` (${failed.solution.message})` : ''}` };
    }
    return { status: 'not-found', init: start.name, message: `the branch from \`${start.name}\` does not move in ${range}` };
  }
  search.stage = 'refine';
  let closed: { jump: number; gap: number } | undefined;
  for (const k of candidates) {
    let j = k + 1;
    while (!converged(points[j])) j++;
    const r = examine(search, spec, quantity, start, points[k], points[j]);
    if ('closed' in r) {
      if (!closed || r.closed.jump > closed.jump) closed = r.closed;
      continue;
    }
    return { ...r, init: start.name };
  }
  search.bracket = undefined;
  const steps = closed
    ? `its largest step of ${quantity} (${closed.jump.toPrecision(3)}) closes to ${closed.gap.toPrecision(3)} when refined`
    : `refined where it moves fast, no step of ${quantity} stays above ${(100 * JUMP_FRACTION).toFixed(0)}% of its range`;
  const failed = points.filter((q) => !converged(q));
  const note = failed.length
    ? `; ${failed.length} of the ${points.length} points did not converge (the first at ${spec.param} = ${fmt(failed[0].p)}: ${failed[0].solution.status}), where a jump may hide`
    : '';
  return { status: 'not-found', init: start.name, message: `the branch from \`${start.name}\` is continuous in ${range}: ${steps}${note}` };
}

/** One jump candidate between the converged points `on` (on the branch) and `off` (past the jump). */
function examine(search: Search, spec: ThresholdSpec & { tol: number }, quantity: string, start: Start, on: ScanPoint, off: ScanPoint): Outcome | { closed: { jump: number; gap: number } } {
  const problem = search.at(on.p);
  const yOff = valueOf(off.solution, quantity);
  let yOn = valueOf(on.solution, quantity);
  const jump = Math.abs(yOff - yOn);
  search.bracket = [Math.min(on.p, off.p), Math.max(on.p, off.p)];
  // One carried order parameter: solve for the fold itself (no solve near it, where solves slow down critically).
  if (problem.carried.length === 1) {
    const index = problem.carried[0];
    const name = problem.stateNames[index];
    search.spend(on.p);
    const f = fold((p) => search.at(p), on.x!, index, on.solution.state[name], off.solution.state[name], on.p, off.p, spec.tol);
    search.report(f?.p ?? on.p, f !== undefined);
    if (f) {
      const tolerance = Math.max(f.error, 64 * Number.EPSILON * Math.max(1, Math.abs(f.p)));
      return { status: 'converged', threshold: f.p, bracket: [f.p - tolerance, f.p + tolerance], tolerance };
    }
  }
  // Bisect the step, staying on the branch: nearer the last point accepted on it than the far side of the step.
  // Comparing with the last accepted point, not the point before the step, follows the square-root rise of the
  // branch near its fold, which can carry it past the midpoint of the step.
  let onState = on.x!;
  let landed = yOff; // where the last step off the branch landed
  let lastOn = on.p;
  let firstOff = off.p;
  let failure: { p: number; status: Outcome['status']; message: string } | undefined;
  const named = typeof start.init === 'string' ? start.init : 'uninformed';
  const holds = (p: number): boolean | undefined => {
    const at = search.at(p);
    const s = search.solve(p, onState, named, at);
    if (s.status !== 'converged') {
      failure = { p, status: s.status, message: `the solve from the branch ended ${s.status}${s.message ? ` (${s.message})` : ''}` };
      return undefined;
    }
    const y = valueOf(s, quantity);
    const ok = Math.abs(y - yOn) < Math.abs(y - yOff);
    if (ok) { onState = stateOf(s, at); yOn = y; lastOn = p; } else { landed = y; firstOff = p; }
    search.bracket = orderPair(lastOn, firstOff);
    return ok;
  };
  const root = bisectPredicate(holds, on.p, off.p, 2 * spec.tol);
  const [a, b] = root.bracket;
  if (root.status === 'non-finite' && failure) {
    return { status: failure.status, bracket: [a, b], message: `at ${spec.param} = ${fmt(failure.p)} ${failure.message}; the threshold lies in [${fmt(a)}, ${fmt(b)}]` };
  }
  if (root.status !== 'converged') return { status: 'max-iterations', bracket: [a, b], message: `the bisection ran out of steps; the threshold lies in [${fmt(a)}, ${fmt(b)}]` };
  // A spinodal is a jump that survives the refinement; a steep but continuous branch closes its gap.
  const gap = Math.abs(landed - yOn);
  if (!(gap > 0.25 * jump)) return { closed: { jump, gap } };
  return { status: 'converged', threshold: (a + b) / 2, bracket: [a, b], tolerance: (b - a) / 2 };
}

const orderPair = (x: number, y: number): readonly [number, number] => [Math.min(x, y), Math.max(x, y)];
