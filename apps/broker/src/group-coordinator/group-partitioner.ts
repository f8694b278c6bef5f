/**
 * Maps a group id to its `__consumer_offsets` partition exactly as Kafka does:
 * `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`.
 *
 * Java's `String.hashCode()` is `s[0]*31^(n-1) + s[1]*31^(n-2) + ... + s[n-1]` over the
 * UTF-16 code units of the string, computed with int32 overflow. Kafka's `Utils.abs`
 * differs from `Math.abs` for Integer.MIN_VALUE: it returns 0 (Math.abs would return
 * MIN_VALUE, a negative number).
 */

/** Java `String.hashCode()`: an int32 over the UTF-16 code units of `s`. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  }
  return h;
}

/** Kafka `Utils.abs`: absolute value of an int32, with abs(Integer.MIN_VALUE) = 0. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The `__consumer_offsets` partition that holds `groupId`'s offsets and metadata. */
export function partitionForGroup(groupId: string, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions;
}
