/**
 * Big-endian int64 fields as JS numbers, without BigInt: high int32 then low
 * uint32. Exact for |value| <= 2^53 - 1 (offsets, timestamps, producer ids).
 */

const TWO_POW_32 = 0x1_0000_0000;

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, value: number): number {
  const hi = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * TWO_POW_32, pos + 4);
  return pos + 8;
}
