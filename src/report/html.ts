/**
 * One self-contained HTML page from typed content (`saddle report`): the math is rendered here, server-side,
 * by KaTeX, and KaTeX's stylesheet is inlined with its fonts as data: URIs, so the file needs no network and no
 * JavaScript. Every text of the content is escaped; the only markup taken as it is is KaTeX's output and the
 * SVG of the figures (made by report/plot.ts), whose element ids are made unique per figure.
 *
 * The page is assembled from a `ReportContent` value and nothing else, so a section computed elsewhere (the
 * phase diagram of `saddle phase`) is added by filling its field.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import katex from 'katex';
import type { DataFile } from '../ir/data-files.ts';
import type { LatexBuiltin, LatexEquation, ProgramLatex } from '../ir/latex.ts';
import type { Solution, Status } from '../solve/solution.ts';
import { STATUSES } from '../solve/solution.ts';
import { fmt } from './table.ts';

/** How a cell reads: ok (green), bad (red), warn (amber), or plain. */
export type Tone = 'ok' | 'bad' | 'warn';

/** A table cell: text, a number (shown to 6 digits, the full value in its tooltip), math, or a toned text. */
export type Cell = string | number | { readonly tex: string } | { readonly text: string; readonly tone: Tone };

export interface ReportTable {
  readonly caption?: string;
  readonly header: readonly Cell[];
  readonly rows: readonly (readonly Cell[])[];
}

/** A figure: an SVG from report/plot.ts `renderSvg` and its caption. */
export interface Figure {
  readonly svg: string;
  readonly caption: string;
}

/** What the solver did over a set of solves (a sweep, a phase diagram's grid): nothing is left out. */
export interface SolverDiagnostics {
  readonly points: number;
  readonly counts: Readonly<Record<Status, number>>;
  /** Over all points: fewest, median and most iterations, and their total. */
  readonly iterations: { readonly min: number; readonly median: number; readonly max: number; readonly total: number };
  /** Largest undamped residual among the converged points (NaN when none converged). */
  readonly maxResidual: number;
  /** Wall time of all the solves, in milliseconds. */
  readonly time: number;
  /** Every point that did not converge, with why. */
  readonly failed: readonly {
    readonly params: Readonly<Record<string, number>>;
    readonly branch?: string;
    readonly status: Status;
    readonly iterations: number;
    readonly residual: number;
    readonly message?: string;
  }[];
}

/** The phase-diagram section (`saddle report --phase-x ... --phase-y ...`). */
export interface PhaseSection {
  readonly svg: string;
  readonly caption: string;
  readonly diagnostics: SolverDiagnostics;
  /** What was dropped when the phase file was read back (a corrupt line, a duplicate record), one line each. */
  readonly warnings?: readonly string[];
  /** Further tables (e.g. the transition lines' points), shown under the diagnostics. */
  readonly tables?: readonly ReportTable[];
}

export interface ReportContent {
  /** The page title (the model's name and what was computed). */
  readonly title: string;
  readonly model: {
    readonly name: string;
    readonly file: string;
    readonly description: string;
    readonly conventions?: string;
    readonly source?: string;
    /** sha256 of the model file's text: which version of the file these numbers come from. */
    readonly sha256?: string;
    /** The data files the model reads (empirical spectra) and their sha256. */
    readonly data?: readonly DataFile[];
  };
  /** How the page was made: the command line, saddle's version, when. */
  readonly provenance: { readonly command: string; readonly version: string; readonly date: string };
  /** The parameter values used (and the swept ranges). */
  readonly parameters: ReportTable;
  /** The fixed point at the parameters used, when solved. */
  readonly solution?: ReportTable;
  /** The equations, printed from the IR (ir/latex.ts). */
  readonly equations: ProgramLatex;
  /** How an update reads, for the equations' introduction: '\\leftarrow' or '='. */
  readonly updateRelation?: string;
  /** Sweep curves (with simulation overlays), each with a caption. */
  readonly figures?: readonly Figure[];
  /** The sweep's rows, shown folded under the figures. */
  readonly sweepTable?: ReportTable;
  readonly thresholds?: ReportTable;
  /** Theory against simulation: one table per point. */
  readonly verify?: readonly ReportTable[];
  /** Solver diagnostics of the sweep (and of the other solves), with the failed points. */
  readonly diagnostics?: SolverDiagnostics;
  /** The phase diagram, when one was asked for. */
  readonly phase?: PhaseSection;
  /** Remarks shown at the top (e.g. points that did not converge, a disagreement with simulation). */
  readonly notes?: readonly { readonly text: string; readonly tone?: Tone }[];
}

/** The diagnostics of a set of solves (sweep rows, grid points). */
export function solverDiagnostics(points: readonly { readonly params: Readonly<Record<string, number>>; readonly solution: Omit<Solution, 'params' | 'origin'>; readonly branch?: string }[]): SolverDiagnostics {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const p of points) counts[p.solution.status]++;
  const its = points.map((p) => p.solution.iterations).sort((a, b) => a - b);
  const median = its.length === 0 ? NaN : its.length % 2 ? its[(its.length - 1) / 2] : (its[its.length / 2 - 1] + its[its.length / 2]) / 2;
  const converged = points.filter((p) => p.solution.status === 'converged');
  return {
    points: points.length,
    counts,
    iterations: { min: its[0] ?? NaN, median, max: its[its.length - 1] ?? NaN, total: its.reduce((a, b) => a + b, 0) },
    maxResidual: converged.length ? Math.max(...converged.map((p) => p.solution.residual)) : NaN,
    time: points.reduce((t, p) => t + p.solution.time, 0),
    failed: points.filter((p) => p.solution.status !== 'converged').map((p) => ({
      params: p.params, status: p.solution.status, iterations: p.solution.iterations, residual: p.solution.residual,
      ...(p.branch !== undefined && { branch: p.branch }), ...(p.solution.message !== undefined && { message: p.solution.message }),
    })),
  };
}

/** The page, and the formulas KaTeX could not render (shown on the page as source, marked). */
export interface RenderedReport {
  readonly html: string;
  readonly mathErrors: readonly string[];
}

/** A number for a table: 6 significant digits as in the terminal tables (report/table.ts fmt), without
 * trailing zeros (0.001, not 0.00100000); the full value is in the cell's tooltip. */
export function formatNumber(v: number): string {
  return fmt(v).replace(/(\.\d*?)0+(?=e|$)/, '$1').replace(/\.(?=e|$)/, '');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Assembles the page. Pure but for reading KaTeX's stylesheet and fonts (once per process). */
export function renderReport(content: ReportContent): RenderedReport {
  const mathErrors: string[] = [];
  const math = (tex: string, display = false): string => {
    try {
      return katex.renderToString(tex, { displayMode: display, fleqn: display, throwOnError: true, strict: 'error', output: 'htmlAndMathml' });
    } catch (e) {
      mathErrors.push(`${(e as Error).message}: ${tex}`);
      return `<code class="tex-error" title="${escapeHtml((e as Error).message)}">${escapeHtml(tex)}</code>`;
    }
  };
  const cell = (c: Cell, tag: 'td' | 'th'): string => {
    if (typeof c === 'number') {
      const shown = formatNumber(c);
      return `<${tag} class="num"${Number.isFinite(c) && String(c) !== shown ? ` title="${c}"` : ''}>${escapeHtml(shown)}</${tag}>`;
    }
    if (typeof c === 'string') return `<${tag}>${escapeHtml(c)}</${tag}>`;
    if ('tex' in c) return `<${tag}>${math(c.tex)}</${tag}>`;
    return `<${tag} class="${c.tone}">${escapeHtml(c.text)}</${tag}>`;
  };
  const table = (t: ReportTable): string => [
    '<div class="table"><table>',
    t.caption ? `<caption>${escapeHtml(t.caption)}</caption>` : '',
    `<thead><tr>${t.header.map((h) => cell(h, 'th')).join('')}</tr></thead>`,
    `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('\n')}</tbody>`,
    '</table></div>',
  ].join('');
  const equation = (e: LatexEquation): string =>
    `<div class="eq${e.doc ? '' : ' bare'}" id="eq-${escapeHtml(e.name)}"><div class="eq-math">${math(e.tex, true)}</div>${e.doc ? `<div class="eq-doc">${escapeHtml(e.doc)}</div>` : ''}</div>`;
  let figureCount = 0;
  const figure = (f: Figure): string => `<figure>${scopeSvgIds(f.svg, `f${++figureCount}-`)}<figcaption>${escapeHtml(f.caption)}</figcaption></figure>`;

  const sections: { id: string; title: string; body: string }[] = [];
  const c = content;
  const m = c.model;
  sections.push({
    id: 'model', title: 'Model',
    body: [
      `<p>${escapeHtml(m.description)}</p>`,
      m.conventions ? `<h3>Conventions</h3><p>${escapeHtml(m.conventions)}</p>` : '',
      m.source ? `<h3>Source</h3><p>${escapeHtml(m.source)}</p>` : '',
      `<p class="meta">Model file <code>${escapeHtml(m.file)}</code>${m.sha256 ? `, sha256 <code>${escapeHtml(m.sha256.slice(0, 16))}…</code>` : ''}${
        (m.data ?? []).map((d) => `; data file <code>${escapeHtml(d.file)}</code>, sha256 <code>${escapeHtml(d.sha256.slice(0, 16))}…</code>`).join('')}.</p>`,
    ].join('\n'),
  });
  sections.push({
    id: 'parameters', title: 'Parameters',
    body: table(c.parameters) + (c.solution ? table(c.solution) : ''),
  });
  sections.push({ id: 'equations', title: 'Equations', body: equationsBody(c.equations, c.updateRelation ?? '\\leftarrow', equation, math) });
  if (c.figures?.length || c.sweepTable) {
    sections.push({
      id: 'curves', title: 'Curves',
      body: (c.figures ?? []).map(figure).join('\n')
        + (c.sweepTable ? `<details><summary>The ${c.sweepTable.rows.length} rows of the sweep</summary>${table(c.sweepTable)}</details>` : ''),
    });
  }
  if (c.thresholds) sections.push({ id: 'thresholds', title: 'Thresholds', body: table(c.thresholds) });
  if (c.verify?.length) sections.push({ id: 'verify', title: 'Theory against simulation', body: c.verify.map(table).join('\n') });
  if (c.phase) {
    sections.push({
      id: 'phase', title: 'Phase diagram',
      body: figure({ svg: c.phase.svg, caption: c.phase.caption })
        + (c.phase.warnings ?? []).map((w) => `<p class="note warn">${escapeHtml(`warning: ${w}`)}</p>`).join('\n')
        + diagnosticsBody(c.phase.diagnostics, table) + (c.phase.tables ?? []).map(table).join('\n'),
    });
  }
  if (c.diagnostics) sections.push({ id: 'diagnostics', title: 'Solver diagnostics', body: diagnosticsBody(c.diagnostics, table) });

  const notes = (c.notes ?? []).map((n) => `<p class="note${n.tone ? ` ${n.tone}` : ''}">${escapeHtml(n.text)}</p>`).join('\n');
  const nav = sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join(' · ');
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="saddle ${escapeHtml(c.provenance.version)}">
<title>${escapeHtml(c.title)}</title>
<style>${katexCss()}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(c.title)}</h1>
<nav>${nav}</nav>
${notes}
</header>
<main>
${sections.map((s) => `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.body}\n</section>`).join('\n')}
</main>
<footer>
<p>Made by saddle ${escapeHtml(c.provenance.version)} on ${escapeHtml(c.provenance.date)} with <code>${escapeHtml(c.provenance.command)}</code>.
The equations are printed from the same intermediate representation the solver is compiled from.</p>
</footer>
</body>
</html>
`;
  return { html, mathErrors };
}

function equationsBody(eq: ProgramLatex, relation: string, equation: (e: LatexEquation) => string, math: (tex: string) => string): string {
  const part = (title: string, intro: string, list: readonly LatexEquation[]) =>
    list.length ? `<h3>${escapeHtml(title)}</h3>${intro ? `<p>${intro}</p>` : ''}\n${list.map(equation).join('\n')}` : '';
  const arrow = relation === '=' ? '' : ` (${math(`${relation}`)}: assigned in this order, each reading the values assigned before it in the same sweep)`;
  const legend = (b: readonly LatexBuiltin[]) => b.length
    ? `<h3>Special functions</h3><dl class="legend">${b.map((f) => `<dt>${math(`${f.tex}(x)`)}</dt><dd>${escapeHtml(f.doc)}</dd>`).join('')}</dl>` : '';
  return [
    part('Random variables', '', eq.variables),
    part('Saddle-point equations', `The update map, in the order the solver applies it${arrow}. A fixed point of this map is a solution.`, eq.updates),
    part('Definitions', 'Abbreviations used above, inlined by the solver where they are used.', eq.definitions),
    part('Functions', '', eq.functions),
    part('Observables', '', eq.observables),
    eq.freeEnergy ? part('Free energy', '', [eq.freeEnergy]) : '',
    legend(eq.builtins),
  ].filter(Boolean).join('\n');
}

function diagnosticsBody(d: SolverDiagnostics, table: (t: ReportTable) => string): string {
  const counts = STATUSES.filter((s) => d.counts[s] > 0 || s === 'converged')
    .map((s): Cell[] => [s === 'converged' ? { text: s, tone: 'ok' } : { text: s, tone: 'bad' }, d.counts[s]]);
  const summary: ReportTable = {
    caption: `${d.points} solves`,
    header: ['status', 'points'],
    rows: counts,
  };
  const stats: ReportTable = {
    header: ['iterations: min', 'median', 'max', 'total', 'largest residual (converged)', 'solve time (ms)'],
    rows: [[d.iterations.min, d.iterations.median, d.iterations.max, d.iterations.total, d.maxResidual, Math.round(d.time * 10) / 10]],
  };
  const failed: ReportTable | undefined = d.failed.length ? {
    caption: 'Points that did not converge (each is still a row of the sweep, with this status)',
    header: ['parameters', 'branch', 'status', 'iterations', 'residual', 'why'],
    rows: d.failed.map((f) => [Object.entries(f.params).map(([k, v]) => `${k}=${v}`).join(' '), f.branch ?? '', { text: f.status, tone: 'bad' }, f.iterations, f.residual, f.message ?? '']),
  } : undefined;
  return table(summary) + table(stats) + (failed ? table(failed) : '<p class="ok">Every point converged.</p>');
}

/**
 * Gives every id of an SVG a prefix, and every reference to one (url(#id), href="#id"): two inline SVGs from
 * vega both number their clip paths from 1, and on one page the second would use the first's.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  if (ids.size === 0) return svg;
  return svg
    .replace(/(\sid=")([^"]+)"/g, (all, head: string, id: string) => (ids.has(id) ? `${head}${prefix}${id}"` : all))
    .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${prefix}${id})` : all))
    .replace(/(href=")#([^"]+)"/g, (all, head: string, id: string) => (ids.has(id) ? `${head}#${prefix}${id}"` : all));
}

let css: string | undefined;
/** KaTeX's stylesheet with its woff2 fonts inlined as data: URIs (the woff and ttf fallbacks dropped). */
export function katexCss(): string {
  if (css !== undefined) return css;
  const require = createRequire(import.meta.url);
  const file = require.resolve('katex/dist/katex.min.css');
  const fonts = join(dirname(file), 'fonts');
  css = readFileSync(file, 'utf8').replace(/src:\s*url\(fonts\/([^)]+\.woff2)\)\s*format\("woff2"\)[^;}]*/g, (_all, font: string) =>
    `src:url(data:font/woff2;base64,${readFileSync(join(fonts, font)).toString('base64')}) format("woff2")`);
  if (/url\(fonts\//.test(css)) throw new Error('katexCss: a font of KaTeX\'s stylesheet was not inlined (a new KaTeX layout?)');
  return css;
}

const PAGE_CSS = `
:root { --fg: #1d1d1f; --muted: #5f6368; --rule: #d9d9de; --ok: #1a7f37; --bad: #c62828; --warn: #a15c00; }
body { font: 16px/1.5 Georgia, 'DejaVu Serif', serif; color: var(--fg); margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.8rem; margin: 0.5rem 0; }
h2 { font-size: 1.35rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 0.4rem; }
nav { font-size: 0.9rem; color: var(--muted); }
nav a { color: inherit; }
code { font-size: 0.85em; }
.meta, footer { color: var(--muted); font-size: 0.85rem; }
footer { border-top: 1px solid var(--rule); margin-top: 3rem; }
.note { padding: 0.4rem 0.7rem; border-left: 3px solid var(--rule); background: #f7f7f9; }
.note.bad { border-color: var(--bad); } .note.warn { border-color: var(--warn); } .note.ok { border-color: var(--ok); }
.eq { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 13rem); gap: 1rem; align-items: center; border-bottom: 1px dotted #ececf0; }
.eq.bare { grid-template-columns: minmax(0, 1fr); }
.eq-math { min-width: 0; overflow-x: auto; overflow-y: hidden; }
.eq .katex-display { margin: 0.5rem 0; padding: 0.2rem 0; }
.eq .katex-display > .katex { padding-left: 1.5rem; }
.eq-doc { color: var(--muted); font-size: 0.85rem; }
.tex-error { color: var(--bad); white-space: pre-wrap; }
dl.legend { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; font-size: 0.9rem; }
dl.legend dd { margin: 0; }
.table { overflow-x: auto; margin: 0.8rem 0; }
table { border-collapse: collapse; font: 0.85rem/1.35 'DejaVu Sans', Helvetica, Arial, sans-serif; }
caption { text-align: left; color: var(--muted); padding-bottom: 0.3rem; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
th { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.ok, p.ok { color: var(--ok); } td.bad { color: var(--bad); } td.warn { color: var(--warn); }
figure { margin: 1.2rem 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 0.3rem; }
details summary { cursor: pointer; color: var(--muted); }
@media print { nav { display: none; } section { break-inside: avoid-page; } }
`;
