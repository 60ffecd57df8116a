import { runSweep } from './sweep.ts';

export const DEMO_HELP = `saddle demo

Sweeps the built-in ridge model over the sample complexity alpha at a small penalty (lambda = 1e-3,
noise Delta = 0.25): the double-descent peak of the generalisation error at alpha = 1. Prints a table and
writes results/ridge-double-descent.csv, .svg and .png.`;

export async function runDemo(argv: readonly string[], out: (s: string) => void): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { out(DEMO_HELP); return 0; }
  out('ridge regression, lambda = 1e-3, Delta = 0.25: the double-descent peak at alpha = 1\n');
  return runSweep(['ridge', '--param', 'alpha=0.1:4:79', '--set', 'lambda=0.001,Delta=0.25',
    '--y', 'gen_error,train_error', '--logy', '--out', 'results/ridge-double-descent.csv',
    '--plot', 'results/ridge-double-descent.svg', '--plot', 'results/ridge-double-descent.png'], out);
}
