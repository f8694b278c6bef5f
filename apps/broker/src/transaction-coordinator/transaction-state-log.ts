import { buildBatch, CompressionType, decodeBatch, ErrorCode, isControl, iterateBatches } from '@millrace/protocol';
import type { ReplicaManager } from '../partition/replica-manager';
import { decodeTxnKey, decodeTxnValue, TRANSACTION_STATE_TOPIC, type LoadedTxn } from './transaction-log-format';

/**
 * Persistence port of the transaction coordinator: one record per state transition.
 * Contract (as GroupLog's): `append` resolves only once the record is in the log as
 * durably as the topic requires; appends to one partition are applied in call order;
 * a null value is a tombstone (the transactional id expired).
 */
export interface TxnStateStore {
  append(partition: number, key: Buffer, value: Buffer | null): Promise<void>;
}

/** The TxnStateStore over the broker's own `__transaction_state` partitions (mirrors ConsumerOffsetsLog). */
export class TransactionStateLog implements TxnStateStore {
  constructor(private readonly replicas: ReplicaManager) {}

  async append(partition: number, key: Buffer, value: Buffer | null): Promise<void> {
    const p = this.replicas.getPartition(TRANSACTION_STATE_TOPIC, partition);
    if (!p) throw new Error(`${TRANSACTION_STATE_TOPIC}-${partition} is not hosted here`);
    const batch = buildBatch({ baseOffset: 0, records: [{ key, value, headers: [], timestamp: Date.now() }], compression: CompressionType.None });
    const outcome = await p.appendRecords(batch, 'coordinator');
    if (outcome.errorCode !== ErrorCode.NONE) throw new Error(`append to ${TRANSACTION_STATE_TOPIC}-${partition} failed: ${outcome.errorMessage}`);
  }

  /**
   * The last state of every transactional id in partitions 0..numPartitions-1 (tombstones
   * remove the id). Undecodable records are counted and skipped.
   */
  async readAll(numPartitions: number): Promise<{ txns: Map<string, LoadedTxn>; skipped: number }> {
    const txns = new Map<string, LoadedTxn>();
    let skipped = 0;
    for (let i = 0; i < numPartitions; i++) {
      const p = this.replicas.getPartition(TRANSACTION_STATE_TOPIC, i);
      if (!p) continue;
      let offset = p.logStartOffset;
      const end = p.logEndOffset;
      while (offset < end) {
        const read = await p.log.read(offset, 1 << 20, { maxOffset: end });
        if (read.records.length === 0) break;
        for (const view of iterateBatches(read.records)) {
          const { header, records } = decodeBatch(read.records, view.pos);
          offset = header.baseOffset + header.lastOffsetDelta + 1;
          if (isControl(header.attributes)) continue;
          for (const r of records) {
            try {
              if (r.key === null) throw new Error('record without key');
              const id = decodeTxnKey(Buffer.from(r.key));
              if (r.value === null) txns.delete(id);
              else txns.set(id, decodeTxnValue(Buffer.from(r.value)));
            } catch {
              skipped++;
            }
          }
        }
      }
    }
    return { txns, skipped };
  }
}
