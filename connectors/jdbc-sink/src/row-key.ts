/** An unambiguous string of a row's first `keyWidth` bind values (its key), for deduplicating rows by key. */
export function keyString(row: readonly unknown[], keyWidth: number): string {
  let s = '';
  for (let i = 0; i < keyWidth; i++) {
    const v = row[i];
    s += `${v === null ? '\u0001' : Buffer.isBuffer(v) ? `x${v.toString('hex')}` : `${typeof v}:${String(v)}`}\u0000`;
  }
  return s;
}
