/**
 * PostgreSQL's COPY text format (the `text` format of `COPY ... FROM STDIN`): one line
 * per row, columns separated by a tab, `\N` for NULL, and backslash, newline, carriage
 * return and tab escaped with a backslash. Input values are what a SinkDialect's
 * `toSqlValue` returns (null, string, number, boolean, Buffer); the receiving column's
 * type parses the text exactly as it would parse a bound text parameter, so both write
 * paths store the same values.
 *
 * Contract: `encodeCopyRows` yields chunks of at most about `chunkBytes` characters (a row
 * is never split); the concatenation of the chunks is the whole COPY payload.
 */
const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES = /[\\\n\r\t]/g;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One value in COPY text form. */
export function copyTextValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, (c) => ESCAPED[c]) : value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'bigint') return value.toString();
  // bytea hex input `\x..`, with its backslash escaped for COPY.
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  if (value instanceof Uint8Array) return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  return copyTextValue(String(value));
}

/** Rows of equal width as COPY text, in chunks (see the contract). */
export function* encodeCopyRows(rows: readonly (readonly unknown[])[], chunkBytes = 256 * 1024): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) {
      if (i > 0) line += '\t';
      line += copyTextValue(row[i]);
    }
    chunk += line + '\n';
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Lines (each ending in a newline) joined into chunks of about `chunkBytes` characters, as encodeCopyRows chunks rows. */
export function* chunkLines(lines: readonly string[], chunkBytes = 256 * 1024): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
