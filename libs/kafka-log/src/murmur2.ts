/**
 * The 32-bit murmur2 hash with seed 0x9747b28c, as Kafka's Java client computes it for
 * its default partitioner (`Utils.murmur2`): 4-byte little-endian words, then the 1-3
 * trailing bytes, then the final avalanche. Partition of a keyed record:
 * `(murmur2(key) & 0x7fffffff) % partitions` (Java's `toPositive`), so Java, librdkafka's
 * `murmur2_random` and kafkajs's DefaultPartitioner put a key where this does.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest >= 3) h ^= data[whole + 2] << 16;
  if (rest >= 2) h ^= data[whole + 1] << 8;
  if (rest >= 1) {
    h ^= data[whole];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner gives a record with this key. */
export function keyPartition(key: Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
