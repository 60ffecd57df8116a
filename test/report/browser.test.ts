/**
 * The report as a reader sees it: opened in headless Chromium (Debian's package, driven by playwright-core;
 * `scripts/ensure-chromium.sh` installs it, and `npm test` runs that first), with no network. The equations
 * must have rendered (KaTeX elements, no errors), the figures must have a size, and the page must make no
 * request, log no error and fail to load no font.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HOW_TO_INSTALL = `Chromium is not installed at ${CHROMIUM}: the report's browser test needs it. Run \`bash scripts/ensure-chromium.sh\` `
  + '(as root it runs `apt-get update && apt-get install -y --no-install-recommends chromium`), or set CHROMIUM_PATH to a Chromium binary.';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

describe('saddle report in a browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'saddle-report-'));
  const file = join(dir, 'ridge.html');
  let context: BrowserContext | undefined;
  let code = -1;
  const phaseFile = join(dir, 'phase.html');
  let phaseCode = -1;
  const printed: string[] = [];

  beforeAll(async () => {
    code = await main(['report', 'ridge', '--param', 'alpha=0.2:3:12', '--set', 'lambda=0.05', '--simulate', 'd=100,trials=2',
      '--threshold', 'level:alpha=0.2:3,observable=train_error,level=0.1', '--verify', 'd=200,trials=3,alpha=2', '--workers', '1',
      '--out', file], (s) => printed.push(s), (s) => printed.push(s));
    phaseCode = await main(['report', 'perceptron-binary-bayes', '--phase-x', 'eps=0:0.1:8', '--phase-y', 'alpha=0.5:3:8',
      '--lines', 'spinodal,first-order', '--workers', '1', '--phase-out', join(dir, 'phase.jsonl'), '--out', phaseFile], (s) => printed.push(s), (s) => printed.push(s));
    if (!existsSync(CHROMIUM)) return;
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'saddle-chromium-')), {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1100, height: 900 }, offline: true,
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the page', () => {
    expect(code, printed.join('\n')).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
  });

  it('renders the equations and figures with no request, console error or failed font', async () => {
    if (!context) throw new Error(HOW_TO_INSTALL);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
    page.on('request', (r) => { if (!/^(file|data):/.test(r.url())) problems.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const seen = await page.evaluate(async () => {
      await document.fonts.ready;
      const box = (e: Element) => e.getBoundingClientRect();
      return {
        katex: document.querySelectorAll('.katex').length,
        display: document.querySelectorAll('#equations .katex-display').length,
        errors: document.querySelectorAll('.katex-error, .tex-error').length,
        svgs: [...document.querySelectorAll('figure svg')].map((s) => [box(s).width, box(s).height]),
        marks: document.querySelectorAll('figure svg path, figure svg line').length,
        fonts: [...document.fonts].map((f) => `${f.family}:${f.status}`),
        sections: [...document.querySelectorAll('section')].map((s) => s.id),
        equationHeight: Math.min(...[...document.querySelectorAll('#equations .katex-display')].map((e) => box(e).height)),
      };
    });
    await page.close();
    expect(problems).toEqual([]);
    expect(seen.errors).toBe(0);
    expect(seen.display).toBeGreaterThanOrEqual(6); // ridge: 6 updates, 2 definitions, 3 observables
    expect(seen.katex).toBeGreaterThan(seen.display);
    expect(seen.equationHeight).toBeGreaterThan(10);
    expect(seen.svgs.length).toBe(1);
    for (const [w, h] of seen.svgs) { expect(w).toBeGreaterThan(100); expect(h).toBeGreaterThan(100); }
    expect(seen.marks).toBeGreaterThan(10);
    expect(seen.fonts.filter((f) => f.endsWith(':error'))).toEqual([]);
    expect(seen.fonts.some((f) => f.startsWith('KaTeX_Main') && f.endsWith(':loaded'))).toBe(true);
    expect(seen.sections).toEqual(['model', 'parameters', 'equations', 'curves', 'thresholds', 'verify', 'diagnostics']);
  }, 30_000);

  it('renders a phase diagram: the heat map with its lines and region labels, and the lines\' tables', async () => {
    expect(phaseCode, printed.join('\n')).toBe(0);
    if (!context) throw new Error(HOW_TO_INSTALL);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(phaseFile).href, { waitUntil: 'load' });
    const seen = await page.evaluate(() => {
      const svg = document.querySelector('#phase figure svg');
      const box = svg?.getBoundingClientRect();
      return {
        size: box ? [box.width, box.height] : [0, 0],
        cells: svg ? svg.querySelectorAll('.layer_1_marks path').length : 0,
        text: svg?.textContent ?? '',
        tables: document.querySelectorAll('#phase table').length,
        errors: document.querySelectorAll('.katex-error, .tex-error').length,
      };
    });
    await page.close();
    expect(problems).toEqual([]);
    expect(seen.errors).toBe(0);
    expect(seen.size[0]).toBeGreaterThan(200);
    expect(seen.size[1]).toBeGreaterThan(200);
    expect(seen.cells).toBe(64);
    expect(seen.text).toContain('hard'); // a region of the model file
    expect(seen.text).toContain('first-order');
    expect(seen.tables).toBeGreaterThanOrEqual(2); // the diagnostics and a table per line
  }, 30_000);
});
