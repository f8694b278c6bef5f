import type { Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { OffsetStore, SourceOffsetEntry } from '../storage/offset-store';
import type { OutgoingRecord, SourceRecordCommitter } from './source-record-committer';

/**
 * At-least-once SourceRecordCommitter: produce the records with acks=-1 (one request in
 * flight so order holds), then write the offsets to connect-offsets. A crash between
 * the two, or a produce retry, can repeat records; the transactional committer (once
 * the broker supports transactions) replaces this for exactly-once.
 */
export class NonTransactionalCommitter implements SourceRecordCommitter {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly offsetStore: OffsetStore,
    private readonly connector: string,
  ) {}

  async open(): Promise<void> {
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1, idempotent: false, allowAutoTopicCreation: true });
    await producer.connect();
    this.producer = producer;
  }

  async commit(records: readonly OutgoingRecord[], offsets: readonly SourceOffsetEntry[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('committer is not open');
    const byTopic = new Map<string, OutgoingRecord['message'][]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push(r.message);
      byTopic.set(r.topic, list);
    }
    if (byTopic.size > 0) await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    if (offsets.length > 0) await this.offsetStore.write(this.connector, offsets);
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
