import { buildBatch, CompressionType, ControlRecordType, decodeBatch, ErrorCode, isControl, isTransactional, iterateBatches, parseControlRecord } from '@millrace/protocol';
import type { ReplicaManager } from '../partition/replica-manager';
import type { GroupLog, GroupLogRecord } from './group-log';

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

/**
 * The coordinator's GroupLog over the broker's own `__consumer_offsets` partitions.
 *
 * `append` writes one uncompressed batch per call through the partition's normal append
 * path (origin 'coordinator'), so it is ordered with other appends and resolves only when
 * the batch is as durable as the topic requires and below the high watermark.
 * `readAll` replays every partition from its log start offset for `GroupCoordinator.load`.
 * Transactional offset commits (TxnOffsetCommit batches, written with the producer id)
 * are held back per producer until that producer's marker: yielded at the COMMIT,
 * dropped at the ABORT; those still open at the end of the log are left in
 * `openTransactionalRecords` for the transaction coordinator.
 */
export class ConsumerOffsetsLog implements GroupLog {
  /** After readAll: records of transactions with no marker yet, per producer id and partition. */
  readonly openTransactionalRecords: { producerId: number; partition: number; records: GroupLogRecord[] }[] = [];

  constructor(private readonly replicas: ReplicaManager) {}

  async append(partition: number, records: GroupLogRecord[]): Promise<void> {
    const p = this.replicas.getPartition(CONSUMER_OFFSETS_TOPIC, partition);
    if (!p) throw new Error(`${CONSUMER_OFFSETS_TOPIC}-${partition} is not hosted here`);
    const now = Date.now();
    const batch = buildBatch({
      baseOffset: 0,
      records: records.map((r) => ({ key: r.key, value: r.value, headers: [], timestamp: now })),
      compression: CompressionType.None,
    });
    const outcome = await p.appendRecords(batch, 'coordinator');
    if (outcome.errorCode !== ErrorCode.NONE) throw new Error(`append to ${CONSUMER_OFFSETS_TOPIC}-${partition} failed: ${outcome.errorMessage}`);
  }

  /** Every record of partitions 0..numPartitions-1, partition by partition, in log order. */
  async *readAll(numPartitions: number): AsyncGenerator<GroupLogRecord> {
    for (let i = 0; i < numPartitions; i++) {
      const p = this.replicas.getPartition(CONSUMER_OFFSETS_TOPIC, i);
      if (!p) continue;
      let offset = p.logStartOffset;
      const end = p.logEndOffset;
      const open = new Map<number, GroupLogRecord[]>();
      while (offset < end) {
        const read = await p.log.read(offset, 1 << 20, { maxOffset: end });
        if (read.records.length === 0) break;
        for (const view of iterateBatches(read.records)) {
          const { header, records } = decodeBatch(read.records, view.pos);
          offset = header.baseOffset + header.lastOffsetDelta + 1;
          if (isControl(header.attributes)) {
            const held = open.get(header.producerId);
            open.delete(header.producerId);
            if (held && records.length > 0 && parseControlRecord(records[0]).type === ControlRecordType.Commit) yield* held;
            continue;
          }
          const out = isTransactional(header.attributes) ? (open.get(header.producerId) ?? []) : null;
          if (out) open.set(header.producerId, out);
          for (const r of records) {
            if (r.key === null) continue;
            const rec = { key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) };
            if (out) out.push(rec);
            else yield rec;
          }
        }
      }
      for (const [producerId, held] of open) this.openTransactionalRecords.push({ producerId, partition: i, records: held });
    }
  }
}
