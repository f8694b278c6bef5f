/**
 * PostgreSQL log sequence numbers: text "XXXXXXXX/XXXXXXXX" (hex high/low 32 bits) <->
 * bigint. Offsets store the text form (exact); the Debezium `source.lsn` field is the
 * number (a JS number: exact below 2^53 bytes of WAL).
 */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new Error(`not an LSN: "${text}"`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: bigint): string {
  const v = lsn < 0n ? 0n : lsn;
  return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function lsnToNumber(text: string): number {
  return Number(parseLsn(text));
}
