import { readFileSync } from 'node:fs';

/** saddle's version, from package.json (src/base/ and dist/base/ are two folders down): recorded in every output. */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
})();
