import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../util/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'saddle-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('saddle report', () => {
  it('bad input is refused before any work (exit 2, nothing written)', async () => {
    const file = join(dir, 'never.html');
    const cases: [string[], RegExp][] = [
      [['ridge'], /--out FILE\.html/],
      [['ridge', '--out', join(dir, 'x.txt')], /\.html/],
      [['ridge', '--param', 'alpa=0.1:1:3', '--out', file], /did you mean `alpha`/],
      [['ridge', '--param', 'alpha=0.1:1:3', '--y', 'gen_eror', '--out', file], /did you mean `gen_error`/],
      [['ridge', '--y', 'gen_error', '--out', file], /--param/],
      [['ridge', '--threshold', 'sideways:alpha=1:2', '--out', file], /not a threshold kind/],
      [['ridge', '--threshold', 'level:alpha=2:1,level=1', '--out', file], /LO < HI/],
      [['ridge', '--threshold', 'level:alpha=1:2', '--out', file], /needs level=X/],
      [['ridge', '--threshold', 'level:alpha=1:2,level=1,observable=msee', '--out', file], /not an order parameter or observable/],
      [['ridge', '--verify', 'trials=3', '--out', file], /d=D/],
      [['ridge', '--verify', 'd=100,alpa=2', '--out', file], /unknown key `alpa`/],
      [['ridge', '--param', 'alpha=0.1:1:3', '--simulate', 'd=100,trials=1', '--out', file], /--simulate: trials=1 is not a valid value\n.*an integer from 2 \(a standard error needs two\)/],
      [['ridge', '--init', 'nowhere', '--out', file], /no initialisation `nowhere`/],
      [['docs/examples/curie-weiss.yaml', '--param', 'h=0:1:3', '--simulate', 'd=100', '--out', file], /no `simulation:` section/],
    ];
    for (const [argv, message] of cases) {
      const r = await run('report', ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    expect(existsSync(file)).toBe(false);
  });

  it('a sweep whose points do not all converge still writes the page, lists them, exits 3', async () => {
    const file = join(dir, 'ridgeless.html');
    const r = await run('report', 'ridge', '--param', 'alpha=0.2:2:4', '--set', 'lambda=0', '--max-iterations', '300',
      '--threshold', 'spinodal:alpha=0.2:0.3', '--out', file, '--title', 'ridgeless <ridge>');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/not converged: lambda=0 alpha=0\.2 \(sweep forward\): diverged/);
    expect(r.out).toMatch(/threshold spinodal: not found/);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<title>ridgeless &lt;ridge&gt;</title>');
    expect(html).toContain('Points that did not converge');
    expect(html).toMatch(/alpha=0\.2<\/td><td>sweep forward<\/td><td class="bad">diverged/);
    expect(html).toContain('not found: ');
    expect(html).toMatch(/<p class="note bad">\d+ of \d+ solves did not converge/);
  });

  it('without a sweep: the model, parameters, fixed point and equations; updates as = on request', async () => {
    const file = join(dir, 'sub', 'curie.html');
    const r = await run('report', 'docs/examples/curie-weiss.yaml', '--set', 'beta=1.5', '--init', 'informed', '--equals', '--out', file);
    expect(r.code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<annotation encoding="application/x-tex">m = \\tanh\\left(\\beta \\, m + h\\right)</annotation>');
    expect(html).toContain('from the `informed` start: converged');
    expect(html).not.toContain('<section id="curves">');
    expect(html).toContain('saddle report docs/examples/curie-weiss.yaml --set beta=1.5 --init informed --equals --out');
  });

  it('carries the warnings of its phase file into the page: a corrupt line dropped and recomputed is said, with FILE:LINE', async () => {
    const phase = join(dir, 'magnet.jsonl');
    const args = ['test/fixtures/magnet-phase.yaml', '--phase-x', 'beta=1.25:3:3', '--phase-y', 'h=-0.8:0.8:3', '--phase-out', phase, '--workers', '1'];
    expect((await run('report', ...args, '--out', join(dir, 'first.html'))).code).toBe(0);
    appendFileSync(phase, '{"type": "cell", "i": 0, "j"\n'); // an interrupted write
    const lines = readFileSync(phase, 'utf8').split('\n').length - 1;
    const page = join(dir, 'second.html');
    const r = await run('report', ...args, '--out', page);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`warning: phase file: .*magnet\\.jsonl:${lines}: `));
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/1 line of the phase file .*magnet\.jsonl was dropped when it was read back/);
    expect(html).toMatch(new RegExp(`<p class="note warn">warning: .*magnet\\.jsonl:${lines}: `));
  }, 60_000);

  it('is listed in the help', async () => {
    expect((await run('--help')).out).toMatch(/report MODEL/);
    expect((await run('report', '--help')).out).toMatch(/^saddle report MODEL --out FILE\.html/);
  });
});
