/** Misuse by the caller (an unknown parameter, a bad option value): the message names the fix. */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A file the user named could not be read or written: the disk is full, a permission is missing, a path is a
 * directory or a device. Not a bug in saddle: the command line exits 2 with the message and the hint.
 */
export class IoError extends Error {
  constructor(
    readonly op: 'read' | 'write',
    readonly path: string,
    /** Why, in words: "no space left on device". */
    readonly reason: string,
    readonly hint?: string,
    /** The operating system's error code (ENOSPC, EACCES, ...), when there is one. */
    readonly code?: string,
  ) {
    super(`cannot ${op} ${path}: ${reason}`);
    this.name = 'IoError';
  }
}
