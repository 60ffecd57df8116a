#!/usr/bin/env node
// The saddle command. It runs the JavaScript that `npm run build` compiles and bundles into dist/bundle/ (at
// `npm ci`, through the prepare script, and at `npm pack`): no TypeScript is transpiled at start-up. In a checkout whose src/ is newer
// than its dist/ (an edit since the last build), it runs src/ through tsx instead, so a stale build is never used.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = `${root}dist/.build-stamp`;

/** The newest modification time of the files under `dir` (0 when there is no such folder). */
function newest(dir) {
  let t = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// an installed package has dist/ and no src/: always the build
const built = !existsSync(`${root}src`) || (existsSync(stamp) && statSync(stamp).mtimeMs >= newest(`${root}src`));
let main;
if (built) {
  ({ main } = await import('../dist/bundle/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
