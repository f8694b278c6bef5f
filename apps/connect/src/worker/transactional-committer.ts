import type { ProducedRecord, RecordProducer } from '@millrace/kafka-log';
import { offsetRecord } from '../storage/offset-state';
import type { SourceOffsetEntry } from '../storage/offset-store';
import type { TaskOffsets } from './task-offsets';
import type { OutgoingRecord, SourceRecordCommitter } from './source-record-committer';

/** Kafka Connect's transactional id of a source task's producer (KIP-618). */
export function sourceTransactionalId(groupId: string, connector: string, task: number): string {
  return `${groupId}-${connector}-${task}`;
}

/**
 * Exactly-once SourceRecordCommitter (KIP-618, transaction boundary `poll`): a batch's
 * records and the source offsets they reached are written by the task's transactional
 * producer in ONE Kafka transaction (the offsets as connect-offsets records, keyed and
 * partitioned as the offset store writes them). A crash anywhere leaves both or neither:
 * connect-offsets and the sink consumers read `read_committed`.
 *
 * Contracts:
 * - `open()` registers the task's transactional id (`<group.id>-<connector>-<task>`),
 *   which fences every earlier producer of the task (a zombie on another worker can no
 *   longer commit, its open transaction is aborted), then reads connect-offsets to its
 *   end, so the task starts from the last committed offsets.
 * - `commit` resolves once the transaction committed; the offset store sees the offsets
 *   when it reads them back (asynchronously; `open` of the next runner waits for it).
 * - A fenced producer's commit rejects for good (ProduceError, not retriable).
 */
export class TransactionalCommitter implements SourceRecordCommitter {
  private producer: RecordProducer | undefined;

  constructor(
    private readonly createProducer: () => RecordProducer,
    private readonly offsets: Pick<TaskOffsets, 'refresh' | 'committed'>,
    private readonly offsetTopic: string,
    private readonly connector: string,
  ) {}

  async open(): Promise<void> {
    const producer = this.createProducer();
    this.producer = producer;
    await producer.open();
    await this.offsets.refresh(this.connector);
  }

  async commit(records: readonly OutgoingRecord[], offsets: readonly SourceOffsetEntry[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('committer is not open');
    if (records.length === 0 && offsets.length === 0) return;
    const all: ProducedRecord[] = offsets.length === 0 ? [...records] : records.concat(offsets.map((e) => this.offsetRecordOf(e)));
    await producer.send(all);
    if (offsets.length > 0) this.offsets.committed(this.connector, offsets);
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close().catch(() => undefined);
  }

  private offsetRecordOf(entry: SourceOffsetEntry): ProducedRecord {
    const { key, value } = offsetRecord(this.connector, entry);
    return { topic: this.offsetTopic, key: Buffer.from(key), value: value === null ? null : Buffer.from(value) };
  }
}
