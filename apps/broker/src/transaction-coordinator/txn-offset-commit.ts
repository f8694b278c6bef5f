import { buildBatch, CompressionType, ErrorCode as E, type TxnOffsetCommitRequestData, type TxnOffsetCommitResponseInput } from '@millrace/protocol';
import { encodeOffsetCommitKey, encodeOffsetCommitValue, GroupCoordinator } from '../group-coordinator';
import { CONSUMER_OFFSETS_TOPIC } from '../group-coordinator/consumer-offsets-log';
import type { ReplicaManager } from '../partition/replica-manager';
import type { PendingTxnOffsets, TxnOffsetEntry } from './pending-txn-offsets';
import { PRODUCER_FENCED_SINCE, type TransactionCoordinator } from './transaction-coordinator';

/**
 * TxnOffsetCommit (KIP-98, KIP-447): checks the producer against the transaction
 * coordinator (current producer id and epoch, the group's offsets partition added by
 * AddOffsetsToTxn) and — from v3 — the member id and generation against the group
 * coordinator; then appends the offsets to the group's `__consumer_offsets` partition as
 * a transactional batch of the producer. They stay pending (PendingTxnOffsets) until the
 * transaction's marker reaches that partition: visible on COMMIT, dropped on ABORT.
 */
export class TxnOffsetCommitter {
  constructor(
    private readonly replicas: ReplicaManager,
    private readonly groups: GroupCoordinator,
    private readonly txns: TransactionCoordinator,
    private readonly pending: PendingTxnOffsets,
  ) {}

  async commit(request: TxnOffsetCommitRequestData, version: number): Promise<TxnOffsetCommitResponseInput> {
    const answer = (code: (topic: string, partition: number) => number): TxnOffsetCommitResponseInput => ({
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name, p.partitionIndex) })) })),
    });
    const offsetsPartition = this.groups.partitionFor(request.groupId);
    const txnError = this.txns.verifyTxnOffsetCommit(
      request.transactionalId,
      request.producerId,
      request.producerEpoch,
      { topic: CONSUMER_OFFSETS_TOPIC, partition: offsetsPartition },
      version >= PRODUCER_FENCED_SINCE.txnOffsetCommit,
    );
    if (txnError !== E.NONE) return answer(() => txnError);
    const groupError = this.groups.validateTxnOffsetCommit(request.groupId, request.memberId, request.generationId, request.groupInstanceId);
    if (groupError !== null) return answer(() => groupError);

    const now = Date.now();
    const errors = new Map<string, number>();
    const entries: TxnOffsetEntry[] = [];
    for (const t of request.topics) {
      for (const p of t.partitions) {
        const metadata = p.committedMetadata ?? '';
        if (!this.replicas.knowsPartition(t.name, p.partitionIndex)) errors.set(`${t.name}\0${p.partitionIndex}`, E.UNKNOWN_TOPIC_OR_PARTITION);
        else if (metadata.length > this.groups.config.offsetMetadataMaxBytes) errors.set(`${t.name}\0${p.partitionIndex}`, E.OFFSET_METADATA_TOO_LARGE);
        else entries.push({ groupId: request.groupId, topic: t.name, partition: p.partitionIndex, value: { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata, commitTimestamp: now, expireTimestamp: null } });
      }
    }
    let appendError: number = E.NONE;
    if (entries.length > 0) {
      // Cluster mode: only the partition's leader writes it.
      const log = this.replicas.leaderFor(CONSUMER_OFFSETS_TOPIC, offsetsPartition).partition;
      if (!log) {
        appendError = E.COORDINATOR_NOT_AVAILABLE;
      } else {
        const batch = buildBatch({
          baseOffset: 0,
          records: entries.map((e) => ({ key: encodeOffsetCommitKey(e.groupId, e.topic, e.partition), value: encodeOffsetCommitValue(e.value), headers: [], timestamp: now })),
          compression: CompressionType.None,
          producerId: request.producerId,
          producerEpoch: request.producerEpoch,
          transactional: true,
        });
        // Pending before the append is queued: the marker can only be queued after it.
        this.pending.add(request.producerId, offsetsPartition, entries);
        const outcome = await log.appendRecords(batch, 'coordinator');
        if (outcome.errorCode !== E.NONE) {
          this.pending.remove(request.producerId, offsetsPartition, entries);
          appendError = E.COORDINATOR_NOT_AVAILABLE;
        }
      }
    }
    return answer((topic, partition) => errors.get(`${topic}\0${partition}`) ?? appendError);
  }
}
