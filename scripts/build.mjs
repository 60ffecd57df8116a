// npm run build: compiles src/ into dist/ (tsc -p tsconfig.build.json), copies what tsc does not (the worker
// entries are only for running from src/), and writes dist/.build-stamp, which bin/saddle.js compares with src/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(`${root}node_modules/.bin/tsc`, ['-p', `${root}tsconfig.build.json`], { stdio: 'inherit', cwd: root });
mkdirSync(`${root}dist`, { recursive: true });
writeFileSync(`${root}dist/.build-stamp`, `${new Date().toISOString()}\n`);
