import { buildControlBatch, ControlRecordType, ErrorCode } from '@millrace/protocol';
import { CONSUMER_OFFSETS_TOPIC } from '../group-coordinator/consumer-offsets-log';
import type { ReplicaManager } from '../partition/replica-manager';
import type { PendingTxnOffsets } from './pending-txn-offsets';

/**
 * Writes a transaction's markers (WriteTxnMarkers' job; on one broker a direct local
 * append): one COMMIT or ABORT control batch per partition of the transaction, stamped
 * with the producer id and epoch (the coordinator epoch is 0: there is one coordinator).
 * A marker on a `__consumer_offsets` partition also settles the transaction's pending
 * offsets there: applied to the groups on COMMIT, dropped on ABORT.
 */
export interface MarkerWriter {
  /** Resolves once every marker is appended; rejects if one could not be (the caller retries all: markers are idempotent for readers). */
  writeMarkers(producerId: number, producerEpoch: number, commit: boolean, partitions: { topic: string; partition: number }[]): Promise<void>;
}

export class LocalMarkerWriter implements MarkerWriter {
  constructor(
    private readonly replicas: ReplicaManager,
    private readonly pendingOffsets: PendingTxnOffsets,
  ) {}

  async writeMarkers(producerId: number, producerEpoch: number, commit: boolean, partitions: { topic: string; partition: number }[]): Promise<void> {
    const type = commit ? ControlRecordType.Commit : ControlRecordType.Abort;
    const results = await Promise.all(
      partitions.map(async ({ topic, partition }) => {
        const { partition: p, errorCode } = this.replicas.leaderFor(topic, partition);
        // A deleted topic needs no marker (Kafka skips partitions it no longer knows).
        if (errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return null;
        // Cluster mode: markers are written only where this broker leads (never into a
        // follower's log); sending them to another broker's leader is not built yet.
        if (!p) return `${topic}-${partition}: ${ErrorCode[errorCode]} (markers for partitions led by another broker are not supported yet)`;
        const batch = buildControlBatch({ baseOffset: 0, producerId, producerEpoch, type, coordinatorEpoch: 0 });
        const outcome = await p.appendRecords(batch, 'coordinator');
        if (outcome.errorCode !== ErrorCode.NONE) return `${topic}-${partition}: ${outcome.errorMessage ?? outcome.errorCode}`;
        if (topic === CONSUMER_OFFSETS_TOPIC) this.pendingOffsets.complete(producerId, partition, commit);
        return null;
      }),
    );
    const failed = results.filter((r): r is string => r !== null);
    if (failed.length > 0) throw new Error(`markers not written to ${failed.join('; ')}`);
  }
}
