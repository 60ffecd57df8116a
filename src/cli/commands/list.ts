import { EXIT } from '../exit.ts';
import { listModels } from '../../pipeline/models.ts';
import { textTable } from '../../report/table.ts';

export const LIST_HELP = `saddle list

The built-in models (files in equations/), with the first sentence of each description.
Use a name wherever a MODEL is expected, e.g. \`saddle solve ridge\`.`;

export function runList(argv: readonly string[], out: (s: string) => void): number {
  if (argv.includes('--help') || argv.includes('-h')) { out(LIST_HELP); return EXIT.ok; }
  const models = listModels();
  out(textTable(['model', 'description'], models.map((m) => [m.name, m.summary])));
  return EXIT.ok;
}
