/**
 * Persistence port of the group coordinator: the `__consumer_offsets` topic.
 *
 * The coordinator encodes records with consumer-offsets-format.ts and appends them to
 * partition `partitionForGroup(groupId, offsetsTopicNumPartitions)`. The broker (lead)
 * implements this over the storage layer as a compacted topic.
 *
 * Contract for implementations:
 * - `append` resolves only once every record is durably in the log (what "acknowledged"
 *   means for a produce with acks=all on this broker). The coordinator acknowledges
 *   OffsetCommit / SyncGroup only after it resolves; a rejection is reported to clients as
 *   COORDINATOR_NOT_AVAILABLE and the in-memory state is not changed.
 * - Records of one `append` call are written contiguously, in the given order.
 * - Appends to the same partition are applied in call order (a later call's records
 *   come after an earlier call's), even when calls overlap. Loading relies on this:
 *   the last record for a key wins.
 * - `value: null` is a tombstone (deletes the key on compaction).
 */
export interface GroupLogRecord {
  key: Buffer;
  value: Buffer | null;
}

export interface GroupLog {
  append(partition: number, records: GroupLogRecord[]): Promise<void>;
}
