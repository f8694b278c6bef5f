import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a hex fixture (one line of hex) from this folder. */
export function fixture(name: string): Buffer {
  return Buffer.from(readFileSync(join(__dirname, `${name}.hex`), 'utf8').trim(), 'hex');
}
