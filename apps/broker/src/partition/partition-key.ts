/**
 * The broker's one map key for a topic-partition: `<topic>\u0000<partition>`. A partition
 * number never contains NUL, so the last NUL splits any key back into its pair: distinct
 * pairs never share a key, whatever the topic string. In-memory only: never written to
 * disk or to the wire.
 */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
