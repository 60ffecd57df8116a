import { UsageError } from '../errors.ts';
import { formatIssues, ModelError } from '../model/issues.ts';
import { didYouMean } from '../model/suggest.ts';
import { CHECK_HELP, runCheck } from './commands/check.ts';
import { DEMO_HELP, runDemo } from './commands/demo.ts';
import { LIST_HELP, runList } from './commands/list.ts';
import { MERGE_HELP, runMerge } from './commands/merge.ts';
import { PHASE_HELP, runPhaseCommand } from './commands/phase.ts';
import { runSolve, SOLVE_HELP } from './commands/solve.ts';
import { runSweep, SWEEP_HELP } from './commands/sweep.ts';
import { runThreshold, THRESHOLD_HELP } from './commands/threshold.ts';
import { REPORT_HELP, runReport } from './commands/report.ts';
import { runSimulate, runVerify, SIMULATE_HELP, VERIFY_HELP } from './commands/verify.ts';
import { EXIT } from './exit.ts';

const HELP = `saddle: replica saddle-point and state-evolution equations, written once in a model file,
compiled into fast solvers with honest diagnostics.

Usage: saddle COMMAND [options]

Commands:
  solve MODEL      solve at one parameter point (--json for machine-readable output)
  sweep MODEL      sweep one parameter (or a grid of two) with continuation; CSV/JSON rows, SVG/PNG plots
  threshold MODEL  locate a transition: weak recovery, spinodal, first-order, or a level crossing
  phase MODEL      a phase diagram over two parameters: every branch at every cell, transition lines,
                   regions; parallel, resumable, shardable (--shard K/N, then saddle merge)
  merge PARTS      join the parts of a sharded phase diagram
  check MODEL      validate a model file, summarise it, and estimate the quadrature error of each
                   expectation at a solution (n vs 2n nodes); --debug prints the generated code
  simulate MODEL   the finite-size experiment of the model's simulation section: mean +- SE over seeded trials
  verify MODEL     theory against simulation: z-scores per quantity; exit 1 when they disagree
  report MODEL     one self-contained HTML page: equations (LaTeX from the IR), curves, thresholds, checks
  list             the built-in models in equations/
  demo             the double-descent curve of ridge regression, written under results/

MODEL is a YAML file or the name of a built-in model. \`saddle COMMAND --help\` tells more.
Exit codes: 0 success, 1 internal error (a bug: please report it), 2 bad input (the message says where
and how to fix it), 3 a solve did not converge (results are still written, with their status).`;

type Command = (argv: readonly string[], out: (s: string) => void) => number | Promise<number>;
const COMMANDS: Record<string, { run: Command; help: string }> = {
  solve: { run: runSolve, help: SOLVE_HELP },
  sweep: { run: runSweep, help: SWEEP_HELP },
  threshold: { run: runThreshold, help: THRESHOLD_HELP },
  phase: { run: runPhaseCommand, help: PHASE_HELP },
  merge: { run: runMerge, help: MERGE_HELP },
  check: { run: runCheck, help: CHECK_HELP },
  simulate: { run: runSimulate, help: SIMULATE_HELP },
  verify: { run: runVerify, help: VERIFY_HELP },
  report: { run: runReport, help: REPORT_HELP },
  list: { run: runList, help: LIST_HELP },
  demo: { run: runDemo, help: DEMO_HELP },
};

/** Runs one command line; returns the exit code. User mistakes are printed to `err`, never thrown. */
export async function main(argv: readonly string[], out = (s: string) => console.log(s), err = (s: string) => console.error(s)): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS[rest[0] ?? ''] : undefined;
    out(topic ? topic.help : HELP);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    const guess = didYouMean(name, Object.keys(COMMANDS));
    err(`saddle: unknown command \`${name}\`; ${guess ? `${guess} ` : ''}commands: ${Object.keys(COMMANDS).join(', ')} (saddle --help)`);
    return EXIT.input;
  }
  try {
    return await command.run(rest, out);
  } catch (e) {
    if (e instanceof ModelError) {
      err(formatIssues(e.issues));
      return EXIT.input;
    }
    if (e instanceof UsageError) {
      err(`saddle ${name}: ${e.message}${e.hint ? `\n    hint: ${e.hint}` : ''}`);
      return EXIT.input;
    }
    err(`saddle ${name}: internal error (a bug in saddle; please report it with the command line):\n${(e as Error).stack ?? e}`);
    return EXIT.internal;
  }
}

// `saddle ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });

const isEntry = process.argv[1] !== undefined && /(?:^|[\\/])main\.ts$/.test(process.argv[1]);
if (isEntry) process.exitCode = await main(process.argv.slice(2));
