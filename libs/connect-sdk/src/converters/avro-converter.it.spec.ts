import { startBroker, type BrokerProcess } from '@millrace/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { ConnectSchema } from '../record/connect-schema';
import { ALL_TYPES_SCHEMA, ALL_TYPES_VALUE } from './__fixtures__/all-types';
import type { AvroConverter } from './avro-converter';
import { createConverter } from './converter-registry';

/**
 * The AvroConverter against the broker's schema registry (real HTTP, real storage):
 * registration under TopicNameStrategy subjects, the exact registered Avro text, every
 * Connect type round-tripped (inside a struct and as a top-level schema), and bytes that
 * travel through a Kafka topic before being converted back by a fresh converter.
 */
describe('AvroConverter against the broker registry', () => {
  let broker: BrokerProcess;
  let url: string;

  beforeAll(async () => {
    broker = await startBroker();
    url = `http://${broker.host}:${broker.httpPort}`;
  });

  afterAll(async () => {
    await broker?.stop();
  });

  const avroConverter = async (isKey = false): Promise<AvroConverter> =>
    (await createConverter('io.confluent.connect.avro.AvroConverter', {}, isKey, { 'schema.registry.url': url })) as AvroConverter;

  async function latest(subject: string): Promise<{ id: number; version: number; schema: string }> {
    const res = await fetch(`${url}/subjects/${encodeURIComponent(subject)}/versions/latest`);
    expect(res.status).toBe(200);
    return (await res.json()) as { id: number; version: number; schema: string };
  }

  it('registers the Confluent-shaped schema and round-trips every type in a struct', async () => {
    const producer = await avroConverter();
    const bytes = await producer.fromConnectData('everything', ALL_TYPES_SCHEMA, ALL_TYPES_VALUE);
    const registered = await latest('everything-value');
    expect(bytes?.readInt32BE(1)).toBe(registered.id);
    expect(registered.schema).toBe(producer.avroSchemaText(ALL_TYPES_SCHEMA));
    expect(registered.schema).toContain(
      '{"name":"price","type":{"type":"bytes","scale":2,"precision":64,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}}',
    );
    expect(registered.schema).toContain('{"name":"i8","type":{"type":"int","connect.type":"int8"}}');
    expect(registered.schema).toContain('{"name":"opt","type":["null","string"],"default":null}');
    expect(registered.schema).toContain('{"name":"nested","type":["null",{"type":"record","name":"Nested","fields":[{"name":"x","type":"double"}],"connect.name":"acme.Nested"}],"default":null}');

    const consumer = await avroConverter();
    const back = await consumer.toConnectData('everything', bytes);
    expect(back.schema).toEqual(ALL_TYPES_SCHEMA);
    expect(back.value).toEqual(ALL_TYPES_VALUE);
  });

  it('round-trips every type as a top-level key and value schema', async () => {
    const producerKeys = await avroConverter(true);
    const producerValues = await avroConverter(false);
    const consumerKeys = await avroConverter(true);
    const consumerValues = await avroConverter(false);
    const allValues = ALL_TYPES_VALUE as Record<string, unknown>;
    for (const field of ALL_TYPES_SCHEMA.fields ?? []) {
      const topic = `top-${field.name}`;
      const schema: ConnectSchema = field.schema;
      const value = allValues[field.name];
      for (const [producer, consumer, suffix] of [
        [producerKeys, consumerKeys, 'key'],
        [producerValues, consumerValues, 'value'],
      ] as const) {
        const bytes = await producer.fromConnectData(topic, schema, value);
        if (value === null) {
          expect(bytes).toBeNull();
          continue;
        }
        expect((await latest(`${topic}-${suffix}`)).schema).toBe(producer.avroSchemaText(schema));
        const back = await consumer.toConnectData(topic, bytes);
        expect(back.schema).toEqual(schema);
        expect(back.value).toEqual(value);
      }
    }
  });

  it('converts bytes that went through a Kafka topic', async () => {
    const kafka = new Kafka({ clientId: 'avro-converter-it', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'avro-through-kafka', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const keySchema: ConnectSchema = { type: 'struct', optional: false, name: 'acme.Key', fields: [{ name: 'id', index: 0, schema: { type: 'int64', optional: false } }] };
    const keys = await avroConverter(true);
    const values = await avroConverter(false);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: 'avro-through-kafka',
      messages: [
        { key: await keys.fromConnectData('avro-through-kafka', keySchema, { id: 1 }), value: await values.fromConnectData('avro-through-kafka', ALL_TYPES_SCHEMA, ALL_TYPES_VALUE) },
        { key: await keys.fromConnectData('avro-through-kafka', keySchema, { id: 1 }), value: await values.fromConnectData('avro-through-kafka', ALL_TYPES_SCHEMA, null) },
      ],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'avro-converter-it' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'avro-through-kafka', fromBeginning: true });
    const seen: { key: Buffer | null; value: Buffer | null }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no records within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({ key: message.key, value: message.value });
          if (seen.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();

    const freshKeys = await avroConverter(true);
    const freshValues = await avroConverter(false);
    expect(await freshKeys.toConnectData('avro-through-kafka', seen[0].key)).toEqual({ schema: keySchema, value: { id: 1 } });
    expect(await freshValues.toConnectData('avro-through-kafka', seen[0].value)).toEqual({ schema: ALL_TYPES_SCHEMA, value: ALL_TYPES_VALUE });
    expect(await freshValues.toConnectData('avro-through-kafka', seen[1].value)).toEqual({ schema: null, value: null });
  });
});
