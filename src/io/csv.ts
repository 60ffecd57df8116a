/**
 * Reading CSV (RFC 4180), the format `saddle sweep --out FILE.csv` writes (report/table.ts `csvCell`): fields
 * separated by commas, a field holding a comma, a double quote or a line end quoted with its quotes doubled, lines
 * ended by LF or CRLF. A text field that the writer guarded against spreadsheet formulas (a leading `'` before =,
 * +, -, @, tab or CR) is given back without the guard.
 */
import { UsageError } from '../base/errors.ts';

/** The records of `text`, each a list of fields (an empty last line is not a record). */
export function parseCsv(text: string, file = 'the CSV file'): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false; // the current field began with a quote
  let line = 1;
  const endField = () => {
    record.push(quoted ? field : unguard(field));
    field = '';
    quoted = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (field === '' && !quoted && c === '"') {
      // a quoted field: up to the closing quote, "" is one quote
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new UsageError(`${file}, line ${line}: a quoted field is not closed`, 'is it a CSV file written by `saddle sweep --out`?');
        if (text[i] === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        if (text[i] === '\n') line++;
        field += text[i++];
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new UsageError(`${file}, line ${line}: text after a closing quote`, 'a quoted field ends at a comma or a line end');
      }
      continue;
    }
    if (c === ',') { endField(); i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { i++; continue; }
    if (c === '\n') {
      endField();
      records.push(record);
      record = [];
      line++;
      i++;
      continue;
    }
    field += c;
    i++;
  }
  if (field !== '' || quoted || record.length) {
    endField();
    records.push(record);
  }
  return records;
}

/** The writer's guard against formulas removed: `'=x` -> `=x` (only before the characters it guards). */
const unguard = (s: string): string => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);
