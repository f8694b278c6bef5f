/** An unambiguous string of a row's first `keyWidth` bind values (its key), for deduplicating rows by key. */
export function keyString(row: readonly unknown[], keyWidth: number): string {
  let s = '';
  for (let i = 0; i < keyWidth; i++) {
    const v = row[i];
    s += `${v === null ? '\u0001' : Buffer.isBuffer(v) ? `x${v.toString('hex')}` : `${typeof v}:${String(v)}`}\u0000`;
  }
  return s;
}

/** Rows with distinct keys (the first `keyWidth` values), keeping each key's last row, in order of those last rows. */
export function lastPerKey(rows: readonly unknown[][], keyWidth: number): unknown[][] {
  const last = new Map<string, number>();
  rows.forEach((row, i) => last.set(keyString(row, keyWidth), i));
  if (last.size === rows.length) return rows as unknown[][];
  return rows.filter((row, i) => last.get(keyString(row, keyWidth)) === i);
}
