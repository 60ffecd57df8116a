/**
 * How a solver-like stage ended, in one vocabulary for all of them (SciML's ReturnCode): the fixed-point solve,
 * GAMP and AMP, the simulation's estimators, threshold searches, trajectories. Every word is one that no table
 * reader takes for a missing value (pandas reads `nan`, `NA`, `null` and `None` as missing).
 * - converged: the stage's own criterion holds (an undamped residual, a certificate, a bracket) at finite values.
 * - max-iterations: the iteration or evaluation budget ran out first.
 * - diverged: the state or the residual grew without bound.
 * - non-finite: a value became NaN or infinite.
 * - invalid-domain: a value left the declared domain of an order parameter.
 * - not-found: a search ended without finding what it looks for (no transition in the range).
 * - inner-failed: an inner problem (root, argmin, prox) of the equations returned a point that failed its checks
 *   (no sign change in its bracket, a Newton search that did not converge, a lower point than the minimum found)
 *   in the evaluation that decided the result; the message says which one (file:line:col), where and at which
 *   parameter values.
 * - failed: anything else that stopped the stage (a singular system, an inner problem without a solution); the
 *   message says what.
 */
export type Retcode = 'converged' | 'max-iterations' | 'diverged' | 'non-finite' | 'invalid-domain' | 'not-found' | 'inner-failed' | 'failed';

export const RETCODES: readonly Retcode[] = ['converged', 'max-iterations', 'diverged', 'non-finite', 'invalid-domain', 'not-found', 'inner-failed', 'failed'];
