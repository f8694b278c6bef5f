import { startBroker, type BrokerProcess } from '@millrace/testing';
import { Kafka, logLevel } from 'kafkajs';
import { keyPartition } from './murmur2';
import { createRecordProducer } from './record-producer';
import { readPartition } from './test-support/read-partition';

describe('RecordProducer against a real broker', () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: '1' } });
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'four', numPartitions: 4 }] });
    await admin.disconnect();
  });
  afterAll(() => broker?.stop());

  it('partitions like Kafka: explicit partition, murmur2 of the key, keyless sticky per send; in order; headers kept', async () => {
    const producer = createRecordProducer({ bootstrap: [broker.bootstrap], clientId: 'record-producer-it' });
    const keys = Array.from({ length: 40 }, (_, i) => Buffer.from(`key-${i}`));
    await producer.send(keys.map((key, i) => ({ topic: 'four', key, value: Buffer.from(`v${i}`), headers: [{ key: 'h', value: Buffer.from(String(i)) }] })));
    await producer.send([{ topic: 'four', partition: 3, key: Buffer.from('key-0'), value: Buffer.from('explicit') }]);
    await producer.send([1, 2, 3].map((i) => ({ topic: 'four', key: null, value: Buffer.from(`keyless-a${i}`) })));
    await producer.send([1, 2].map((i) => ({ topic: 'four', key: null, value: Buffer.from(`keyless-b${i}`) })));
    await producer.close();

    const partitions = await Promise.all([0, 1, 2, 3].map((p) => readPartition(broker.bootstrap, 'four', p)));
    for (let i = 0; i < keys.length; i++) {
      const p = keyPartition(keys[i], 4);
      const values = partitions[p].map((r) => r.value?.toString());
      expect(values).toContain(`v${i}`);
    }
    for (const records of partitions) {
      const keyed = records.filter((r) => r.value?.toString().startsWith('v')).map((r) => Number(r.value!.toString().slice(1)));
      expect(keyed).toEqual([...keyed].sort((a, b) => a - b));
      for (const r of records.filter((x) => x.value?.toString().startsWith('v'))) expect(r.headers).toEqual([{ key: 'h', value: Buffer.from(r.value!.toString().slice(1)) }]);
    }
    expect(partitions[3].map((r) => r.value?.toString())).toContain('explicit');
    const where = (prefix: string) => partitions.map((records, p) => (records.some((r) => r.value?.toString().startsWith(prefix)) ? p : -1)).filter((p) => p >= 0);
    expect(where('keyless-a')).toHaveLength(1);
    expect(where('keyless-b')).toHaveLength(1);
    expect(where('keyless-b')[0]).not.toBe(where('keyless-a')[0]);
    const a = partitions[where('keyless-a')[0]].filter((r) => r.value?.toString().startsWith('keyless-a')).map((r) => r.value!.toString());
    expect(a).toEqual(['keyless-a1', 'keyless-a2', 'keyless-a3']);
  });

  it('creates a missing topic (cluster auto-creation)', async () => {
    const producer = createRecordProducer({ bootstrap: [broker.bootstrap], clientId: 'record-producer-it' });
    await producer.send([{ topic: 'auto-created', key: Buffer.from('k'), value: Buffer.from('v') }]);
    await producer.close();
    const all = (await readPartition(broker.bootstrap, 'auto-created', 0)).map((r) => r.value?.toString());
    expect(all).toEqual(['v']);
  });

  it('creates a missing topic named with an explicit partition too, and refuses a partition the topic does not have', async () => {
    const producer = createRecordProducer({ bootstrap: [broker.bootstrap], clientId: 'record-producer-it' });
    await producer.send([{ topic: 'auto-explicit', partition: 0, key: null, value: Buffer.from('v0') }]);
    await expect(producer.send([{ topic: 'four', partition: 9, key: null, value: Buffer.from('x') }])).rejects.toThrow(/Invalid partition given with record: 9 is not in the range \[0\.\.\.4\) of four/);
    await producer.close();
    expect((await readPartition(broker.bootstrap, 'auto-explicit', 0)).map((r) => r.value?.toString())).toEqual(['v0']);
  });
});
