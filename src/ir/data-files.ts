/**
 * The data files a model reads (an empirical spectrum, `law: spectrum, file: ...`): part of its identity beside
 * the sha256 of its text, since the same model file over another spectrum is another computation.
 */
export interface DataFile {
  /** The path as the model file writes it (relative to the model file). */
  readonly file: string;
  /** sha256 of the file's bytes. */
  readonly sha256: string;
}

/** The files once each, in the order first read. */
export function distinctDataFiles(files: Iterable<DataFile>): DataFile[] {
  const seen = new Map<string, DataFile>();
  for (const f of files) if (!seen.has(`${f.file}\n${f.sha256}`)) seen.set(`${f.file}\n${f.sha256}`, f);
  return [...seen.values()];
}

/** One text cell (a CSV column `data_sha256`): `file:sha256` joined by `;`, empty when the model reads no data file. */
export const dataFilesText = (files: readonly DataFile[]): string => files.map((f) => `${f.file}:${f.sha256}`).join(';');

/** The inverse of `dataFilesText` (a path may hold `:`, the hash never does); undefined for text it did not write. */
export function parseDataFilesText(text: string): DataFile[] | undefined {
  if (text === '') return [];
  const out: DataFile[] = [];
  for (const part of text.split(';')) {
    const m = /^(.+):([0-9a-f]{64})$/.exec(part);
    if (!m) return undefined;
    out.push({ file: m[1], sha256: m[2] });
  }
  return out;
}
