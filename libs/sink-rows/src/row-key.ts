/** An unambiguous string of a row's first `keyWidth` bind values (its key), for deduplicating rows by key. */
export function keyString(row: readonly unknown[], keyWidth: number): string {
  let s = '';
  for (let i = 0; i < keyWidth; i++) {
    const v = row[i];
    s += `${v === null ? '\u0001' : Buffer.isBuffer(v) ? `x${v.toString('hex')}` : `${typeof v}:${String(v)}`}\u0000`;
  }
  return s;
}

/**
 * Rows with distinct keys (the first `keyWidth` values), keeping each key's last row, in
 * order of those last rows. A single key column of primitive values (the common `id`)
 * keys the map by the value itself (Map's SameValueZero tells 1 from '1' as keyString
 * does) instead of building a string per row.
 */
export function lastPerKey(rows: readonly unknown[][], keyWidth: number): unknown[][] {
  if (keyWidth === 1) {
    const byValue = lastPerPrimitiveKey(rows);
    if (byValue !== null) return byValue;
  }
  const last = new Map<string, number>();
  rows.forEach((row, i) => last.set(keyString(row, keyWidth), i));
  if (last.size === rows.length) return rows as unknown[][];
  return rows.filter((row, i) => last.get(keyString(row, keyWidth)) === i);
}

/** lastPerKey over the first value when every row's is null, a number, a string, a bigint or a boolean; null otherwise. */
function lastPerPrimitiveKey(rows: readonly unknown[][]): unknown[][] | null {
  const last = new Map<unknown, number>();
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][0];
    const t = typeof v;
    if (v !== null && t !== 'number' && t !== 'string' && t !== 'bigint' && t !== 'boolean') return null;
    last.set(v, i);
  }
  if (last.size === rows.length) return rows as unknown[][];
  return rows.filter((row, i) => last.get(row[0]) === i);
}
