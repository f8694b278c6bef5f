import { createHash } from 'node:crypto';
import { canonicalValue, type ValueCategory } from './canonical';

/**
 * The digest of a set of rows: their count and an order-independent checksum — the sum,
 * modulo 2^64, of the first 8 bytes of each row's MD5 over its canonical values (a field
 * separator between values, a distinct marker for NULL). Two sides with the same rows
 * have the same digest whatever order the databases return them in.
 */
export interface ChunkDigest {
  readonly rows: number;
  /** 16 hex digits. */
  readonly checksum: string;
}

const MASK = (1n << 64n) - 1n;

export function digestRows(rows: readonly (readonly (string | null)[])[], categories: readonly ValueCategory[]): ChunkDigest {
  let sum = 0n;
  for (const row of rows) {
    const hash = createHash('md5');
    for (let i = 0; i < categories.length; i++) {
      const value = canonicalValue(categories[i], row[i] ?? null);
      hash.update(value === null ? '\u0000N' : `\u0001${value}`);
    }
    sum = (sum + hash.digest().readBigUInt64BE(0)) & MASK;
  }
  return { rows: rows.length, checksum: sum.toString(16).padStart(16, '0') };
}
