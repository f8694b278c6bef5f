/**
 * Test-only helpers for the incremental snapshot specs: an in-memory table of keys 1..n
 * read in key ranges, with the watermarks it is asked to write recorded for the test to
 * play back as "the stream". Not exported from the package.
 */
import type { KeyTuple } from '../snapshot-plan';

export interface Watermark {
  readonly id: string;
  readonly type: string;
}

/** The reads of a table of keys 1..n (key `[String(k)]`, row `row(k)`); watermarks go to `marks`. */
export function keyRangeTable<Row>(
  n: number,
  marks: Watermark[],
  row: (key: number) => Row,
): {
  largestKey: () => Promise<KeyTuple | null>;
  estimateRows: () => Promise<number>;
  readKeyRange: (after: KeyTuple | null, upTo: KeyTuple, limit: number) => Promise<{ key: KeyTuple; row: Row }[]>;
  watermark: (id: string, type: 'open' | 'close') => Promise<void>;
  close: () => Promise<void>;
} {
  return {
    largestKey: async () => (n === 0 ? null : [String(n)]),
    estimateRows: async () => n,
    readKeyRange: async (after, upTo, limit) => {
      const out: { key: KeyTuple; row: Row }[] = [];
      for (let k = after === null ? 1 : Number(after[0]) + 1; k <= Number(upTo[0]) && out.length < limit; k++) out.push({ key: [String(k)], row: row(k) });
      return out;
    },
    watermark: async (id, type) => {
      marks.push({ id, type });
    },
    close: async () => undefined,
  };
}

/** Resolves once `check()` holds (polling every 5 ms); throws after about a second. */
export async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error('timed out');
}
