import { IoError, UsageError } from '../base/errors.ts';
import { ioError } from '../io/files.ts';
import { formatIssues, ModelError } from '../base/issues.ts';
import { didYouMean } from '../base/suggest.ts';
import { EXIT } from './exit.ts';
import { VERSION } from '../base/version.ts';

const HELP = `saddle: replica saddle-point and state-evolution equations, written once in a model file,
compiled into fast solvers with honest diagnostics.

Usage: saddle COMMAND [options]

Commands:
  solve MODEL      solve at one parameter point (--json for machine-readable output)
  sweep MODEL      sweep one parameter (or a grid of two) with continuation; CSV/JSON rows, SVG/PNG plots
  threshold MODEL  locate a transition: weak recovery, spinodal, first-order, or a level crossing
  optimize MODEL   the parameter values (one or two) that minimise or maximise a quantity, under conditions
  phase MODEL      a phase diagram over two parameters: every branch at every cell, transition lines,
                   regions; parallel, resumable, shardable (--shard K/N, then saddle merge)
  fit SWEEP|MODEL  the power-law exponent of a quantity over a window of a sweep, with its standard error
                   and the local slopes (--plot: log-log, with the fitted line)
  merge PARTS      join the parts of a sharded phase diagram
  check MODEL      validate a model file, summarise it, and estimate the quadrature error of each
                   expectation at a solution (n vs 2n nodes); --debug prints the generated code
  simulate MODEL   the finite-size experiment of the model's simulation section: mean +- SE over seeded trials
  verify MODEL     theory against simulation: z-scores per quantity; exit 1 when they disagree
  report MODEL     one self-contained HTML page: equations (LaTeX from the IR), curves, thresholds, checks
  list             the built-in models in equations/
  demo             the double-descent curve of ridge regression, written under results/

MODEL is a YAML file or the name of a built-in model. \`saddle COMMAND --help\` tells more;
\`saddle --version\` the version.
Exit codes: 0 success; 1 verify only: theory and simulation disagree; 2 bad input or a file that cannot be
read or written (the message says where and how to fix it); 3 a solve did not converge (results are still
written, with their status); 70 internal error (a bug in saddle: please report it).`;

type Command = (argv: readonly string[], out: (s: string) => void) => number | Promise<number>;
interface CommandModule { readonly run: Command; readonly help: string }
/** Each command's module is loaded when it runs, so that `saddle --version` or `saddle list` loads nothing else. */
const COMMANDS: ReadonlyMap<string, () => Promise<CommandModule>> = new Map<string, () => Promise<CommandModule>>([
  ['solve', async () => { const m = await import('./commands/solve.ts'); return { run: m.runSolve, help: m.SOLVE_HELP }; }],
  ['sweep', async () => { const m = await import('./commands/sweep.ts'); return { run: m.runSweep, help: m.SWEEP_HELP }; }],
  ['threshold', async () => { const m = await import('./commands/threshold.ts'); return { run: m.runThreshold, help: m.THRESHOLD_HELP }; }],
  ['optimize', async () => { const m = await import('./commands/optimize.ts'); return { run: m.runOptimize, help: m.OPTIMIZE_HELP }; }],
  ['phase', async () => { const m = await import('./commands/phase.ts'); return { run: m.runPhaseCommand, help: m.PHASE_HELP }; }],
  ['merge', async () => { const m = await import('./commands/merge.ts'); return { run: m.runMerge, help: m.MERGE_HELP }; }],
  ['check', async () => { const m = await import('./commands/check.ts'); return { run: m.runCheck, help: m.CHECK_HELP }; }],
  ['simulate', async () => { const m = await import('./commands/verify.ts'); return { run: m.runSimulate, help: m.SIMULATE_HELP }; }],
  ['verify', async () => { const m = await import('./commands/verify.ts'); return { run: m.runVerify, help: m.VERIFY_HELP }; }],
  ['report', async () => { const m = await import('./commands/report.ts'); return { run: m.runReport, help: m.REPORT_HELP }; }],
  ['list', async () => { const m = await import('./commands/list.ts'); return { run: m.runList, help: m.LIST_HELP }; }],
  ['fit', async () => { const m = await import('./commands/fit.ts'); return { run: m.runFit, help: m.FIT_HELP }; }],
  ['demo', async () => { const m = await import('./commands/demo.ts'); return { run: m.runDemo, help: m.DEMO_HELP }; }],
]);

/** Runs one command line; returns the exit code. User mistakes are printed to `err`, never thrown. */
export async function main(argv: readonly string[], out = (s: string) => console.log(s), err = (s: string) => console.error(s)): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    out(`saddle ${VERSION}`);
    return EXIT.ok;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    // a Map: `saddle help constructor` is an unknown topic, never a property of an object
    const topic = name === 'help' && rest[0] !== undefined ? COMMANDS.get(rest[0]) : undefined;
    out(topic ? (await topic()).help : HELP);
    return EXIT.ok;
  }
  const load = COMMANDS.get(name);
  if (!load) {
    const guess = didYouMean(name, COMMANDS.keys());
    err(`saddle: unknown command \`${name}\`; ${guess ? `${guess} ` : ''}commands: ${[...COMMANDS.keys()].join(', ')} (saddle --help)`);
    return EXIT.input;
  }
  const command = await load();
  try {
    return await command.run(rest, out);
  } catch (e) {
    const f = failure(name, e);
    err(f.message);
    return f.code;
  }
}

/**
 * What a command that threw prints and returns. A model-file mistake, a misuse, and an operating-system error on
 * a file the user named (a full disk, a permission, a directory or a device where a file belongs; also when the
 * code that met it did not say so itself) are exit 2 with the message and its hint, no stack trace; anything else
 * is a bug: exit 70 with the stack trace.
 */
export function failure(command: string, e: unknown): { code: number; message: string } {
  if (e instanceof ModelError) return { code: EXIT.input, message: formatIssues(e.issues) };
  const known = e instanceof UsageError ? e : userFileError(e);
  if (known) return { code: EXIT.input, message: `saddle ${command}: ${known.message}${known.hint ? `\n    hint: ${known.hint}` : ''}` };
  return { code: EXIT.internal, message: `saddle ${command}: internal error (a bug in saddle; please report it with the command line):\n${(e as Error)?.stack ?? e}` };
}

/** An operating-system error on a file (ENOSPC, EACCES, EISDIR...), as an IoError; undefined for anything else. */
function userFileError(e: unknown): IoError | undefined {
  if (e instanceof IoError) return e;
  const syscall = String((e as NodeJS.ErrnoException | undefined)?.syscall ?? '');
  return ioError(e, /^(read|stat|lstat|fstat|scandir|readdir|access)$/.test(syscall) ? 'read' : 'write');
}

// `saddle ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });

const isEntry = process.argv[1] !== undefined && /(?:^|[\\/])main\.ts$/.test(process.argv[1]);
if (isEntry) process.exitCode = await main(process.argv.slice(2));
