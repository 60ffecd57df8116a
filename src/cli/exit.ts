/** Exit codes of the `saddle` command (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** A bug in saddle: the message asks for a report. */
  internal: 1,
  /** `saddle verify` only: theory and simulation disagree (some |z| above the tolerance). */
  disagree: 1,
  /** Bad input: a model-file mistake, an unknown option or parameter, a bad value. */
  input: 2,
  /** The solver ran but at least one solve did not converge; results are still written. */
  notConverged: 3,
} as const;
