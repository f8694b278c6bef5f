import { buildBatch, CompressionType, ControlRecordType, isControl, isTransactional, parseControlRecord } from '@millrace/protocol';
import { appendCommitted } from '../partition/coordinator-append';
import { scanLog } from '../partition/log-scan';
import type { ReplicaManager } from '../partition/replica-manager';
import type { GroupLog, GroupLogRecord } from './group-log';

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

/** Records of a transaction with no marker yet in one `__consumer_offsets` partition. */
export interface OpenTransactionalRecords {
  producerId: number;
  partition: number;
  records: GroupLogRecord[];
}

/** Cluster mode: told when this broker's group coordinator takes on or gives up a `__consumer_offsets` partition. */
export interface OffsetsPartitionListener {
  /** The partition was loaded; `open` are its transactional offsets still waiting for a marker. */
  loaded(partition: number, open: OpenTransactionalRecords[]): void;
  unloaded(partition: number): void;
}

/**
 * The coordinator's GroupLog over the broker's own `__consumer_offsets` partitions.
 *
 * `append` writes one uncompressed batch per call through the partition's normal append
 * path (origin 'coordinator'), so it is ordered with other appends and resolves only when
 * the batch is as durable as the topic requires and below the high watermark — in a
 * cluster, once the in-sync replicas hold it (acks=all), and only on the partition's
 * leader. `readPartition` replays one partition for a broker newly elected its leader.
 * `readAll` replays every partition from its log start offset for `GroupCoordinator.load`.
 * Transactional offset commits (TxnOffsetCommit batches, written with the producer id)
 * are held back per producer until that producer's marker: yielded at the COMMIT,
 * dropped at the ABORT; those still open at the end of the log are left in
 * `openTransactionalRecords` for the transaction coordinator.
 */
export class ConsumerOffsetsLog implements GroupLog {
  /** After readAll: records of transactions with no marker yet, per producer id and partition. */
  readonly openTransactionalRecords: OpenTransactionalRecords[] = [];
  /** Cluster mode: who else follows the coordinator's partition loads (the transaction coordinator's pending offsets). */
  readonly partitionListeners: OffsetsPartitionListener[] = [];

  constructor(
    private readonly replicas: ReplicaManager,
    /** offsets.commit.timeout.ms: how long a write waits for the in-sync replicas. */
    private readonly commitTimeoutMs = 5000,
  ) {}

  async append(partition: number, records: GroupLogRecord[]): Promise<void> {
    const now = Date.now();
    const batch = buildBatch({
      baseOffset: 0,
      records: records.map((r) => ({ key: r.key, value: r.value, headers: [], timestamp: now })),
      compression: CompressionType.None,
    });
    await appendCommitted(this.replicas, CONSUMER_OFFSETS_TOPIC, partition, batch, this.commitTimeoutMs);
  }

  /** Every record of partitions 0..numPartitions-1, partition by partition, in log order. */
  async *readAll(numPartitions: number): AsyncGenerator<GroupLogRecord> {
    for (let i = 0; i < numPartitions; i++) {
      const open: OpenTransactionalRecords[] = [];
      yield* this.readPartition(i, open);
      this.openTransactionalRecords.push(...open);
    }
  }

  /**
   * Every record of one partition hosted here, from its log start to its log end, in log
   * order (transactional ones only once committed); records of transactions still open
   * at the end go to `open`.
   */
  async *readPartition(partition: number, open: OpenTransactionalRecords[]): AsyncGenerator<GroupLogRecord> {
    const p = this.replicas.getPartition(CONSUMER_OFFSETS_TOPIC, partition);
    if (!p) return;
    const held = new Map<number, GroupLogRecord[]>();
    for await (const { header, records } of scanLog(p)) {
      if (isControl(header.attributes)) {
        const txn = held.get(header.producerId);
        held.delete(header.producerId);
        if (txn && records.length > 0 && parseControlRecord(records[0]).type === ControlRecordType.Commit) yield* txn;
        continue;
      }
      const out = isTransactional(header.attributes) ? (held.get(header.producerId) ?? []) : null;
      if (out) held.set(header.producerId, out);
      for (const r of records) {
        if (r.key === null) continue;
        const rec = { key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) };
        if (out) out.push(rec);
        else yield rec;
      }
    }
    for (const [producerId, records] of held) open.push({ producerId, partition, records });
  }
}
