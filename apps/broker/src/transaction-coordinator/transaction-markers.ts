import { buildControlBatch, ControlRecordType, ErrorCode } from '@millrace/protocol';
import { CONSUMER_OFFSETS_TOPIC } from '../group-coordinator/consumer-offsets-log';
import type { ReplicaManager } from '../partition/replica-manager';
import type { PendingTxnOffsets } from './pending-txn-offsets';

/**
 * Writes a transaction's markers (WriteTxnMarkers' job): one COMMIT or ABORT control
 * batch per partition of the transaction, stamped with the producer id and epoch. A
 * marker on a `__consumer_offsets` partition also settles the transaction's pending
 * offsets there: applied to the groups on COMMIT, dropped on ABORT.
 */
export interface MarkerWriter {
  /** Resolves once every marker is appended; rejects if one could not be (the caller retries all: markers are idempotent for readers). */
  writeMarkers(producerId: number, producerEpoch: number, commit: boolean, partitions: { topic: string; partition: number }[]): Promise<void>;
}

/** One marker to a partition this broker leads. */
export interface MarkerRequest {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}

/**
 * Appends one marker where this broker leads the partition (the local half of
 * WriteTxnMarkers, also what the WriteTxnMarkers handler does for another broker's
 * coordinator). NONE, UNKNOWN_TOPIC_OR_PARTITION for a partition that no longer exists
 * (it needs no marker), or the error that kept it from being written (never into a
 * follower's log: NOT_LEADER_OR_FOLLOWER).
 */
export async function appendMarker(replicas: ReplicaManager, pendingOffsets: PendingTxnOffsets, m: MarkerRequest): Promise<ErrorCode> {
  const { partition: p, errorCode } = replicas.leaderFor(m.topic, m.partition);
  if (!p) return errorCode;
  const type = m.commit ? ControlRecordType.Commit : ControlRecordType.Abort;
  const batch = buildControlBatch({ baseOffset: 0, producerId: m.producerId, producerEpoch: m.producerEpoch, type, coordinatorEpoch: m.coordinatorEpoch });
  const outcome = await p.appendRecords(batch, 'coordinator');
  if (outcome.errorCode !== ErrorCode.NONE) return outcome.errorCode;
  if (m.topic === CONSUMER_OFFSETS_TOPIC) pendingOffsets.complete(m.producerId, m.partition, m.commit);
  return ErrorCode.NONE;
}

/** The single broker's markers: every partition is local (the coordinator epoch is 0: there is one coordinator). */
export class LocalMarkerWriter implements MarkerWriter {
  constructor(
    private readonly replicas: ReplicaManager,
    private readonly pendingOffsets: PendingTxnOffsets,
  ) {}

  async writeMarkers(producerId: number, producerEpoch: number, commit: boolean, partitions: { topic: string; partition: number }[]): Promise<void> {
    const results = await Promise.all(
      partitions.map(async ({ topic, partition }) => {
        const code = await appendMarker(this.replicas, this.pendingOffsets, { topic, partition, producerId, producerEpoch, commit, coordinatorEpoch: 0 });
        // A deleted topic needs no marker (Kafka skips partitions it no longer knows).
        return code === ErrorCode.NONE || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? null : `${topic}-${partition}: ${ErrorCode[code]}`;
      }),
    );
    const failed = results.filter((r): r is string => r !== null);
    if (failed.length > 0) throw new Error(`markers not written to ${failed.join('; ')}`);
  }
}
