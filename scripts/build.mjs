// npm run build: compiles src/ into dist/ (tsc -p tsconfig.build.json: the library, dist/index.js, and its types),
// bundles the command line into dist/bundle/ (esbuild: the CLI and its two worker entries, code split so that a
// command loads only its own chunks; vega, katex, resvg, tinypool and mathjs stay in node_modules), and writes
// dist/.build-stamp, which bin/saddle.js compares with src/. The bundle is what makes a command start fast: Node
// reads a few files instead of ~200 ES modules of dist/ and the @stdlib and yaml packages' many small ones.
// The chunks sit two folders below the package root like dist/<stage>/*.js, so the paths they resolve from
// import.meta.url (equations/, package.json, the worker entries next to them) are the same as the library's.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(`${root}node_modules/.bin/tsc`, ['-p', `${root}tsconfig.build.json`], { stdio: 'inherit', cwd: root });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js', 'trial-worker': 'dist/simulate/trial-worker.js', worker: 'dist/phase/worker.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // loaded where used (report, workers) or required at run time (mathjs's browser bundle, by createRequire)
  external: ['vega', 'vega-lite', 'katex', '@resvg/resvg-js', 'tinypool', 'mathjs'],
  // CommonJS packages inside the bundle (yaml, @stdlib) call require for Node's built-ins
  banner: { js: "import { createRequire as __saddleRequire } from 'node:module'; const require = __saddleRequire(import.meta.url);" },
  logLevel: 'warning',
});
mkdirSync(`${root}dist`, { recursive: true });
writeFileSync(`${root}dist/.build-stamp`, `${new Date().toISOString()}\n`);
