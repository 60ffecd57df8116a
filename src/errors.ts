/** Misuse by the caller (an unknown parameter, a bad option value): the message names the fix. */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
