import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Millrace repository root: the nearest ancestor of this file (works from the
 * TypeScript sources and from dist/) holding a package.json named "millrace".
 */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  while (true) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'millrace') return dir;
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json named "millrace" above ${from}`);
    dir = parent;
  }
}
