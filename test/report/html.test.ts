import { describe, expect, it } from 'vitest';
import { programLatex } from '../../src/ir/latex.ts';
import { loadModel } from '../../src/pipeline/load.ts';
import { escapeHtml, formatNumber, katexCss, renderReport, scopeSvgIds, solverDiagnostics, type ReportContent } from '../../src/report/html.ts';
import type { Solution } from '../../src/solve/solution.ts';

const ridge = loadModel(new URL('../../equations/ridge.yaml', import.meta.url).pathname);

const solution = (status: Solution['status'], iterations: number, residual = 1e-12): Solution =>
  ({ status, iterations, residual, params: {}, origin: { model: 'ridge', file: 'equations/ridge.yaml', sha256: '', version: '0' }, state: {}, observables: {}, time: 1, init: 'uninformed', ...(status !== 'converged' && { message: `stopped: ${status}` }) });

const content = (extra: Partial<ReportContent> = {}): ReportContent => ({
  title: 'ridge <b>&</b>',
  model: { name: 'ridge', file: 'equations/ridge.yaml', description: 'a <script>alert(1)</script> model', source: 'Someone & co, "A paper"' },
  provenance: { command: 'saddle report ridge --out r.html', version: '0.1.0', date: '2026-12-02 12:00 UTC' },
  parameters: { header: ['', 'parameter', 'value'], rows: [[{ tex: '\\alpha' }, 'alpha', 2]] },
  equations: programLatex(ridge.program),
  ...extra,
});

describe('renderReport', () => {
  it('escapes every text and renders the equations with KaTeX', () => {
    const { html, mathErrors } = renderReport(content());
    expect(mathErrors).toEqual([]);
    expect(html).not.toContain('<script');
    expect(html).toContain('a &lt;script&gt;alert(1)&lt;/script&gt; model');
    expect(html).toContain('<title>ridge &lt;b&gt;&amp;&lt;/b&gt;</title>');
    expect(html).toContain('Someone &amp; co, &quot;A paper&quot;');
    expect(html).toContain('<span class="katex-display');
    // The TeX source travels with the rendering (MathML annotation): a reader can copy it.
    expect(html).toContain('<annotation encoding="application/x-tex">\\hat{V} \\leftarrow \\frac{\\alpha}{1 + V}</annotation>');
    for (const id of ['model', 'parameters', 'equations']) expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toContain('<section id="phase">');
  });

  it('needs no network: KaTeX fonts are inlined as woff2 data URIs', () => {
    const css = katexCss();
    expect(css).not.toMatch(/url\((?!data:)/);
    expect(css.match(/data:font\/woff2;base64,/g)?.length).toBeGreaterThanOrEqual(19);
    const { html } = renderReport(content());
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\((?!data:|#)/);
  });

  it('shows a formula KaTeX cannot render as marked source, and reports it', () => {
    const bad = { ...content().equations, observables: [{ name: 'x', tex: 'x = \\frac{1}{' }] };
    const { html, mathErrors } = renderReport(content({ equations: bad }));
    expect(mathErrors.length).toBe(1);
    expect(html).toContain('<code class="tex-error"');
    expect(html).toContain('x = \\frac{1}{</code>');
  });

  it('the phase extension point: a section with its figure, caption and diagnostics', () => {
    const diagnostics = solverDiagnostics([
      { params: { alpha: 1, beta: 1 }, solution: solution('converged', 10) },
      { params: { alpha: 2, beta: 1 }, solution: solution('max-iterations', 1000, 0.5), branch: 'informed' },
    ]);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"/></svg>';
    const { html } = renderReport(content({ phase: { svg, caption: 'phase <diagram>', diagnostics } }));
    expect(html).toContain('<section id="phase">');
    expect(html).toContain('phase &lt;diagram&gt;');
    expect(html).toContain('id="f1-clip1"');
    expect(html).toContain('url(#f1-clip1)');
    expect(html).toContain('alpha=2 beta=1');
    expect(html).toContain('stopped: max-iterations');
  });
});

describe('pieces', () => {
  it('solverDiagnostics counts statuses and keeps every failed point', () => {
    const d = solverDiagnostics([
      { params: { a: 1 }, solution: solution('converged', 10, 1e-12) },
      { params: { a: 2 }, solution: solution('converged', 30, 3e-11) },
      { params: { a: 3 }, solution: solution('diverged', 20, 1e16), branch: 'forward' },
    ]);
    expect(d.points).toBe(3);
    expect(d.counts.converged).toBe(2);
    expect(d.counts.diverged).toBe(1);
    expect(d.iterations).toEqual({ min: 10, median: 20, max: 30, total: 60 });
    expect(d.maxResidual).toBe(3e-11);
    expect(d.failed).toEqual([{ params: { a: 3 }, branch: 'forward', status: 'diverged', iterations: 20, residual: 1e16, message: 'stopped: diverged' }]);
  });

  it('scopeSvgIds renames ids and their references only', () => {
    const svg = '<svg><defs><clipPath id="clip1"/><linearGradient id="gradient_2"/></defs><g clip-path="url(#clip1)" fill="url(#gradient_2)"><use href="#clip1"/><text>url(#other)</text></g></svg>';
    expect(scopeSvgIds(svg, 'p-')).toBe('<svg><defs><clipPath id="p-clip1"/><linearGradient id="p-gradient_2"/></defs><g clip-path="url(#p-clip1)" fill="url(#p-gradient_2)"><use href="#p-clip1"/><text>url(#other)</text></g></svg>');
  });

  it('numbers: 6 digits without trailing zeros; text escaped', () => {
    expect([0.001, 1.001, 25.5, 8.9358e-11, 1.2e-7, 100, 1.24701234, NaN, -Infinity].map(formatNumber))
      .toEqual(['0.001', '1.001', '25.5', '8.9358e-11', '1.2e-7', '100', '1.24701', 'NaN', '-Infinity']);
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
