/**
 * Which committed offsets are not stable yet: a transactional offset commit
 * (TxnOffsetCommit) for the partition is written but its transaction has not been
 * completed by a COMMIT or ABORT marker. OffsetFetch with `require_stable` (v7+) answers
 * UNSTABLE_OFFSET_COMMIT for such partitions, as Kafka's GroupMetadataManager.getOffsets
 * does, so a consumer waits instead of starting from an offset that may still change.
 *
 * The transaction coordinator provides the real source through
 * GroupCoordinator.usePendingTransactionalOffsets; until then nothing is ever pending.
 */
export interface PendingTransactionalOffsets {
  /** True while `groupId` has an unresolved transactional commit for `topic`-`partition`. */
  hasPendingTransactionalOffsets(groupId: string, topic: string, partition: number): boolean;
}

/** The source used while no transaction support is wired: no offset is ever pending. */
export const NO_PENDING_TRANSACTIONAL_OFFSETS: PendingTransactionalOffsets = {
  hasPendingTransactionalOffsets: () => false,
};
