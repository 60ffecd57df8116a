/**
 * Model-file mistakes are data: every stage that reads a model returns Issues instead of throwing,
 * so a user sees all mistakes at once, each with its place in the file and a hint.
 */
export type IssueCode =
  | 'yaml-syntax'
  | 'unknown-key'
  | 'unknown-piece'
  | 'missing-key'
  | 'bad-value'
  | 'duplicate-name'
  | 'bad-name'
  | 'too-complex'
  | 'expression-syntax'
  | 'unsupported-syntax'
  | 'unknown-symbol'
  | 'unknown-function'
  | 'wrong-arity'
  | 'cyclic-definition'
  | 'undeclared-variable'
  | 'variable-outside-expectation'
  | 'missing-update'
  | 'update-of-undeclared'
  | 'missing-init'
  | 'bad-nodes'
  | 'state-in-function';

export interface Loc {
  readonly file: string;
  readonly line: number; // 1-based
  readonly col: number; // 1-based
}

export interface Issue extends Loc {
  readonly code: IssueCode;
  readonly message: string;
  readonly symbol?: string;
  readonly hint?: string;
}

/** Thrown only at API boundaries (loadModel) when a model file has mistakes; the CLI formats it. */
export class ModelError extends Error {
  constructor(readonly issues: readonly Issue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ModelError';
  }
}

export function formatIssue(issue: Issue): string {
  const where = `${printable(issue.file)}:${issue.line}:${issue.col}`;
  const sym = issue.symbol !== undefined ? ` \`${printable(issue.symbol)}\`` : '';
  const hint = issue.hint ? `\n    hint: ${printable(issue.hint)}` : '';
  return `${where}: error[${issue.code}]${sym}: ${printable(issue.message)}${hint}`;
}

/** Text from a model file shown on a terminal: control characters (escape sequences, line breaks, U+2028)
 * are written as escapes, so a file cannot forge or hide lines of saddle's output. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

export function formatIssues(issues: readonly Issue[]): string {
  const n = issues.length;
  return `${issues.map(formatIssue).join('\n')}\n${n} mistake${n === 1 ? '' : 's'} found.`;
}
