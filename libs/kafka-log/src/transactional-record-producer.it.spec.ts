import { startBroker, type BrokerProcess } from '@millrace/testing';
import { Kafka, logLevel } from 'kafkajs';
import { ProduceError } from './batch-producer';
import type { IsolationLevel } from './fetched-records';
import { createRecordProducer } from './record-producer';
import { readPartition } from './test-support/read-partition';
import { ProducerFencedError } from './transaction-client';

async function readAll(bootstrap: string, topic: string, partition: number, isolationLevel: IsolationLevel): Promise<string[]> {
  return (await readPartition(bootstrap, topic, partition, isolationLevel)).map((r) => r.value?.toString() ?? 'null');
}

/**
 * The transactional RecordProducer (each send one transaction) against a broker with a
 * transaction coordinator: committed sends are visible read_committed, a send that
 * fails half-way is aborted (its records stay invisible to read_committed readers
 * though they are in the log), and a second producer with the same transactional id
 * fences the first for good.
 */
describe('transactional RecordProducer against a real broker', () => {
  let broker: BrokerProcess;
  const bootstrap = () => [broker.bootstrap];

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: '1', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1' } });
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'txn-data', numPartitions: 1 },
        { topic: 'txn-tiny', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] },
      ],
    });
    await admin.disconnect();
  });
  afterAll(() => broker?.stop());

  it('commits each send; a send that fails half-way is aborted and the next one commits under a new epoch', async () => {
    const producer = createRecordProducer({ bootstrap: bootstrap(), clientId: 'txn-it', transactionalId: 'txn-it-1' });
    await producer.open();
    await producer.send([1, 2, 3].map((i) => ({ topic: 'txn-data', partition: 0, key: null, value: Buffer.from(`ok-${i}`) })));
    const failing = producer.send([
      { topic: 'txn-data', partition: 0, key: null, value: Buffer.from('aborted-1') },
      { topic: 'txn-tiny', partition: 0, key: null, value: Buffer.alloc(10_000, 1) },
    ]);
    await expect(failing).rejects.toBeInstanceOf(ProduceError);
    await producer.send([{ topic: 'txn-data', partition: 0, key: null, value: Buffer.from('ok-4') }]);
    await producer.close();

    expect(await readAll(broker.bootstrap, 'txn-data', 0, 'read_committed')).toEqual(['ok-1', 'ok-2', 'ok-3', 'ok-4']);
    const uncommitted = await readAll(broker.bootstrap, 'txn-data', 0, 'read_uncommitted');
    expect(uncommitted).toContain('aborted-1');
    expect(uncommitted.filter((v) => v.startsWith('ok-'))).toEqual(['ok-1', 'ok-2', 'ok-3', 'ok-4']);
  });

  it('a second producer with the same transactional id fences the first for good', async () => {
    const first = createRecordProducer({ bootstrap: bootstrap(), clientId: 'txn-it-a', transactionalId: 'txn-it-fence' });
    await first.open();
    await first.send([{ topic: 'txn-data', partition: 0, key: null, value: Buffer.from('first-1') }]);
    const second = createRecordProducer({ bootstrap: bootstrap(), clientId: 'txn-it-b', transactionalId: 'txn-it-fence' });
    await second.open();
    const zombie = first.send([{ topic: 'txn-data', partition: 0, key: null, value: Buffer.from('zombie') }]);
    await expect(zombie).rejects.toMatchObject({ retriable: false });
    await expect(zombie).rejects.toHaveProperty('cause', expect.any(ProducerFencedError));
    await expect(first.send([{ topic: 'txn-data', partition: 0, key: null, value: Buffer.from('zombie-2') }])).rejects.toMatchObject({ retriable: false });
    await second.send([{ topic: 'txn-data', partition: 0, key: null, value: Buffer.from('second-1') }]);
    await Promise.all([first.close(), second.close()]);
    const committed = await readAll(broker.bootstrap, 'txn-data', 0, 'read_committed');
    expect(committed).toEqual(expect.arrayContaining(['first-1', 'second-1']));
    expect(committed).not.toContain('zombie');
    expect(committed).not.toContain('zombie-2');
  });
});
