/**
 * Where a clustered broker learns who leads each partition (the cluster metadata's
 * partition records, mirrored in memory). The single broker has none: it leads every
 * partition it hosts at leader epoch 0.
 */
export interface LeadershipSource {
  /** This broker's node id. */
  readonly nodeId: number;
  /** The recorded leader (-1 = offline) and leader epoch of a partition; undefined when the cluster has no such partition. */
  leadershipOf(topic: string, partition: number): { readonly leader: number; readonly leaderEpoch: number; readonly isr: readonly number[] } | undefined;
}
