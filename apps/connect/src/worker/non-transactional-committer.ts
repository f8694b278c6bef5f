import type { RecordProducer } from '@millrace/kafka-log';
import type { SourceOffsetEntry } from '../storage/offset-store';
import type { TaskOffsets } from './task-offsets';
import type { OutgoingRecord, SourceRecordCommitter } from './source-record-committer';

/**
 * At-least-once SourceRecordCommitter: produce the records with acks=-1 through the
 * project's idempotent RecordProducer (order per partition holds), then write the
 * offsets to connect-offsets. A crash between
 * the two, or a produce retry, can repeat records; the worker uses it only when
 * sources do not run exactly once (TransactionalCommitter otherwise).
 */
export class NonTransactionalCommitter implements SourceRecordCommitter {
  private producer: RecordProducer | undefined;

  constructor(
    private readonly createProducer: () => RecordProducer,
    private readonly offsetStore: Pick<TaskOffsets, 'write'>,
    private readonly connector: string,
  ) {}

  async open(): Promise<void> {
    this.producer = this.createProducer();
  }

  async commit(records: readonly OutgoingRecord[], offsets: readonly SourceOffsetEntry[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('committer is not open');
    if (records.length > 0) await producer.send(records);
    if (offsets.length > 0) await this.offsetStore.write(this.connector, offsets);
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close().catch(() => undefined);
  }
}
