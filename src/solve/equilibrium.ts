/**
 * The one rule that selects the equilibrium among the branches of a point (solve --init all, a sweep of several
 * branches, a phase-diagram cell): the converged branch of lowest free energy. Branches are taken in the order of
 * their starts, and one replaces the best so far only when its free energy is lower by more than a relative 1e-12:
 * two starts that reach the same fixed point differ by rounding, and the earlier start is kept. A branch whose free
 * energy is not a finite number is not a candidate. Without a free energy (the model declares none) the first
 * converged branch is the one (a phase diagram needs a branch per cell; sweeps and `solve` then select none).
 */
export interface Candidate {
  readonly status: string;
  /** The branch's free energy; undefined when the model declares none. */
  readonly freeEnergy?: number;
}

/** The index of the selected candidate, or undefined when none converged. */
export function selectEquilibrium(candidates: readonly Candidate[]): number | undefined {
  let best: number | undefined;
  candidates.forEach((c, i) => {
    if (c.status !== 'converged') return;
    const f = c.freeEnergy;
    if (f !== undefined && !Number.isFinite(f)) return;
    if (best === undefined) { best = i; return; }
    const g = candidates[best].freeEnergy;
    if (f !== undefined && g !== undefined && f < g - 1e-12 * (1 + Math.abs(g))) best = i;
  });
  return best;
}
