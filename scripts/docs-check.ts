/**
 * `npm run docs:check`: every console block of the documentation (```console, commands after `$ `) is run, and its
 * output compared with what the page shows; `npm run docs:update` writes the actual output into the pages.
 *
 * How a block is run: the commands of one page run in order, in one scratch folder (so a file one command writes,
 * a later one reads), with `equations/`, `test/` and `bench/` of the checkout linked into it, `docs/` copied (linked
 * with --write, so that a page's example files are written anew) and `npx saddle`
 * meaning this checkout's `bin/saddle.js`; standard error is merged into standard output, as on a terminal.
 * How outputs are compared: line by line, runs of spaces as one; a line `...` on the page stands for any number of
 * lines; numbers agree to a relative 1e-6 (or their last printed digit); wall times (`12.3 ms`, `in 4.2 s`, a JSON
 * field `"time": 0.39`) and
 * dates are not compared. A block preceded by `<!-- docs-check: skip REASON -->` is not run; such a block must not
 * claim to be real output (the page says what it is).
 * Usage: tsx scripts/docs-check.ts [--write] [FILE.md ...]   (default: README.md and docs/*.md)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const write = process.argv.includes('--write');
const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const pages = named.length ? named.map((f) => join(process.cwd(), f))
  : [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => join(ROOT, 'docs', f))];

interface Command { readonly text: string; readonly expected: readonly string[]; readonly first: number; readonly last: number }
interface Block { readonly skip?: string; readonly commands: readonly Command[]; readonly line: number }

/** The console blocks of a page: each command (continued over lines ending in `\`) and the lines shown after it. */
function blocks(lines: readonly string[]): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```console') continue;
    const skip = /<!--\s*docs-check:\s*skip\s*(.*?)\s*-->/.exec(lines[i - 1] ?? '')?.[1] ?? /<!--\s*docs-check:\s*skip\s*(.*?)\s*-->/.exec(lines[i - 2] ?? '')?.[1];
    const commands: Command[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j].trim() !== '```'; j++) {
      if (!lines[j].startsWith('$ ')) continue;
      let text = lines[j].slice(2);
      while (text.endsWith('\\') && j + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++j].trim()}`;
      let k = j + 1;
      while (k < lines.length && !lines[k].startsWith('$ ') && lines[k].trim() !== '```') k++;
      commands.push({ text, expected: lines.slice(j + 1, k), first: j + 1, last: k });
      j = k - 1;
    }
    out.push({ ...(skip !== undefined && { skip }), commands, line: i + 1 });
    i = j;
  }
  return out;
}

/** A scratch folder that looks like the checkout to the commands, with `npx saddle` bound to it. */
function scratch(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'saddle-docs-'));
  // --write: commands that write into docs/ (an example report) update the checkout; a check writes into a copy
  for (const d of ['equations', 'test', 'bench']) symlinkSync(join(ROOT, d), join(dir, d));
  if (write) symlinkSync(join(ROOT, 'docs'), join(dir, 'docs'));
  else cpSync(join(ROOT, 'docs'), join(dir, 'docs'), { recursive: true });
  // `import ... from 'saddle'` in an example resolves to this checkout (its package.json exports dist/)
  execFileSync('mkdir', ['-p', join(dir, 'node_modules')]);
  symlinkSync(ROOT, join(dir, 'node_modules/saddle'));
  const bin = join(dir, '.bin');
  execFileSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = saddle ] && shift && exec node ${JSON.stringify(join(ROOT, 'bin/saddle.js'))} "$@"\nexec ${JSON.stringify(process.execPath)} "$(command -v npx)" "$@"\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', FORCE_COLOR: '0', COLUMNS: '120', TZ: 'UTC', LC_ALL: 'C' };
  return { dir, env };
}

function run(command: string, dir: string, env: NodeJS.ProcessEnv): string[] {
  let text: string;
  try {
    text = execFileSync('bash', ['-c', `${command} 2>&1`], { cwd: dir, env, encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 26 });
  } catch (e) {
    const err = e as { stdout?: string; message: string };
    text = err.stdout ?? err.message;
  }
  return text.split(dir).join('.').replace(/\n+$/, '').split('\n');
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;
const TIME = /\b\d+(?:\.\d+)?\s?(?:ms|s)\b|\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:Z| UTC)?|"time":\s?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g;
const squeeze = (l: string) => l.replace(TIME, '<time>').replace(/\s+/g, ' ').trim();

/** Whether an actual line shows what the page's line shows (numbers to a tolerance, times ignored). */
function same(page: string, actual: string): boolean {
  const a = squeeze(page);
  const b = squeeze(actual);
  if (a === b) return true;
  if (a.replace(NUMBER, '#') !== b.replace(NUMBER, '#')) return false;
  const x = a.match(NUMBER) ?? [];
  const y = b.match(NUMBER) ?? [];
  return x.every((s, i) => {
    const u = Number(s);
    const v = Number(y[i]);
    if (u === v) return true;
    const digits = /\.(\d+)/.exec(s.replace(/e.*/i, ''))?.[1].length ?? 0;
    const lastDigit = 10 ** -digits * 10 ** Number(/e([-+]?\d+)/i.exec(s)?.[1] ?? 0);
    return Math.abs(u - v) <= Math.max(1e-6 * Math.abs(u), lastDigit * 1.0001);
  });
}

/** Aligns the page's lines with the actual ones (`...` matches any number of lines): for each page line, the index of
 * its actual line (undefined for `...`), or undefined when they do not match. */
function align(page: readonly string[], actual: readonly string[]): (number | undefined)[] | undefined {
  const memo = new Map<string, (number | undefined)[] | null>();
  const go = (p: number, a: number): (number | undefined)[] | null => {
    const key = `${p}:${a}`;
    if (memo.has(key)) return memo.get(key)!;
    let r: (number | undefined)[] | null = null;
    if (p === page.length) r = a === actual.length ? [] : null;
    else if (page[p].trim() === '...') {
      for (let k = a; k <= actual.length && r === null; k++) { const rest = go(p + 1, k); if (rest) r = [undefined, ...rest]; }
    } else if (a < actual.length && same(page[p], actual[a])) {
      const rest = go(p + 1, a + 1);
      if (rest) r = [a, ...rest];
    }
    memo.set(key, r);
    return r;
  };
  return go(0, 0) ?? undefined;
}

let failures = 0;
let checked = 0;
let skipped = 0;
for (const page of pages) {
  const text = readFileSync(page, 'utf8');
  const lines = text.split('\n');
  const found = blocks(lines);
  if (!found.some((b) => !b.skip && b.commands.length)) continue;
  const { dir, env } = scratch();
  const edits: { first: number; last: number; lines: string[] }[] = [];
  try {
    for (const b of found) {
      if (b.skip !== undefined) { skipped++; continue; }
      for (const c of b.commands) {
        checked++;
        const actual = run(c.text, dir, env);
        const where = `${relative(ROOT, page)}:${c.first}`;
        const fit = align(c.expected, actual);
        if (fit) {
          if (write) edits.push({ first: c.first, last: c.last, lines: c.expected.map((l, i) => (fit[i] === undefined ? l : actual[fit[i]!])) });
          continue;
        }
        if (write) {
          // keep an elision where the page had one: the shown head and tail, the rest as `...`
          const dots = c.expected.findIndex((l) => l.trim() === '...');
          const head = dots < 0 ? actual.length : dots;
          const tail = dots < 0 ? 0 : c.expected.length - c.expected.map((l) => l.trim()).lastIndexOf('...') - 1;
          const shown = dots < 0 || head + tail >= actual.length ? actual : [...actual.slice(0, head), '...', ...actual.slice(actual.length - tail)];
          edits.push({ first: c.first, last: c.last, lines: shown });
          console.log(`${where}: updated \`$ ${c.text}\``);
        } else {
          failures++;
          console.log(`${where}: \`$ ${c.text}\` prints something else:`);
          console.log(`  page:\n${c.expected.map((l) => `    ${l}`).join('\n')}\n  actual:\n${actual.map((l) => `    ${l}`).join('\n')}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (write && edits.length) {
    const out = [...lines];
    for (const e of [...edits].sort((a, b) => b.first - a.first)) out.splice(e.first, e.last - e.first, ...e.lines);
    const next = out.join('\n');
    if (next !== text) writeFileSync(page, next);
  }
}
console.log(`docs-check: ${checked} commands run, ${failures} differ${skipped ? `, ${skipped} block${skipped > 1 ? 's' : ''} skipped (marked)` : ''}`);
process.exitCode = failures ? 1 : 0;
