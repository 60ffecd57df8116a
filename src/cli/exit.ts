/** Exit codes of the `saddle` command (docs/cli.md, "Exit codes"): scripts may rely on them. */
export const EXIT = {
  ok: 0,
  /** `saddle verify` only: theory and simulation disagree (some |z| above the tolerance). */
  disagree: 1,
  /**
   * Bad input: a model-file mistake, an unknown option or parameter, a bad value; and a file the user named that
   * cannot be read or written (a full disk, a missing permission, a directory or a device where a file belongs).
   */
  input: 2,
  /** The solver ran but at least one solve did not converge; results are still written. */
  notConverged: 3,
  /** A bug in saddle (sysexits EX_SOFTWARE): the message has a stack trace and asks for a report. */
  internal: 70,
} as const;
