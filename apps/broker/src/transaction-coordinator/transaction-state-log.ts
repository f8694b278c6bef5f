import { buildBatch, CompressionType, isControl } from '@millrace/protocol';
import { appendCommitted } from '../partition/coordinator-append';
import { scanLog } from '../partition/log-scan';
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

/**
 * The TxnStateStore over the broker's own `__transaction_state` partitions (mirrors
 * ConsumerOffsetsLog). Like Kafka, the topic is created on first use: `ensureTopic` runs
 * (once, retried after a failure) before the first append, so brokers that never see a
 * transaction never open its partitions. In a cluster only the partition's leader
 * appends, and an append resolves once the in-sync replicas hold it (acks=all).
 */
export class TransactionStateLog implements TxnStateStore {
  private ensured: Promise<void> | null = null;

  constructor(
    private readonly replicas: ReplicaManager,
    private readonly ensureTopic: () => Promise<void>,
    private readonly writeTimeoutMs = 5000,
  ) {}

  async append(partition: number, key: Buffer, value: Buffer | null): Promise<void> {
    if (this.ensured === null) {
      this.ensured = this.ensureTopic().catch((err: unknown) => {
        this.ensured = null;
        throw err;
      });
    }
    await this.ensured;
    const batch = buildBatch({ baseOffset: 0, records: [{ key, value, headers: [], timestamp: Date.now() }], compression: CompressionType.None });
    await appendCommitted(this.replicas, TRANSACTION_STATE_TOPIC, partition, batch, this.writeTimeoutMs);
  }

  /**
   * The last state of every transactional id in partitions 0..numPartitions-1 (tombstones
   * remove the id). Undecodable records are counted and skipped.
   */
  async readAll(numPartitions: number): Promise<{ txns: Map<string, LoadedTxn>; skipped: number }> {
    const txns = new Map<string, LoadedTxn>();
    let skipped = 0;
    for (let i = 0; i < numPartitions; i++) skipped += await this.readPartitionInto(i, txns);
    return { txns, skipped };
  }

  /** The last state of every transactional id in one partition hosted here (a newly elected leader's load). */
  async readPartition(partition: number): Promise<{ txns: Map<string, LoadedTxn>; skipped: number }> {
    const txns = new Map<string, LoadedTxn>();
    const skipped = await this.readPartitionInto(partition, txns);
    return { txns, skipped };
  }

  private async readPartitionInto(partition: number, txns: Map<string, LoadedTxn>): Promise<number> {
    let skipped = 0;
    const p = this.replicas.getPartition(TRANSACTION_STATE_TOPIC, partition);
    if (!p) return 0;
    for await (const { header, records } of scanLog(p)) {
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
    return skipped;
  }
}
