import * as path from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { findRepoRoot, runCommand, startBroker, type BrokerProcess } from '@millrace/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { RegistryHttp } from './registry-http';

/**
 * The npm client @kafkajs/confluent-schema-registry (3.9.0, the newest release that runs
 * on Node 20) against the registry: register (incl. references), look-ups, encode and
 * decode; then a kafkajs producer writes Avro-encoded records that a second process
 * decodes through the registry.
 */
describe('@kafkajs/confluent-schema-registry against the registry', () => {
  let broker: BrokerProcess;
  let url: string;
  let registry: SchemaRegistry;

  const paymentV1 = {
    type: 'record',
    name: 'Payment',
    namespace: 'com.example.payments',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'amount', type: 'double' },
    ],
  };
  const paymentV2 = { ...paymentV1, fields: [...paymentV1.fields, { name: 'currency', type: 'string', default: 'EUR' }] };

  beforeAll(async () => {
    broker = await startBroker();
    url = `http://${broker.host}:${broker.httpPort}`;
    registry = new SchemaRegistry({ host: url });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('registers, looks up, encodes and decodes', async () => {
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(paymentV1) }, { subject: 'payments-value' });
    expect(id).toBeGreaterThan(0);
    // The client set the subject's compatibility on first registration (after GET /config/{s} answered 404).
    expect((await new RegistryHttp(url).get('/config/payments-value')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(await registry.getLatestSchemaId('payments-value')).toBe(id);
    expect(await registry.getRegistryId('payments-value', 1)).toBe(id);
    expect(await registry.getRegistryIdBySchema('payments-value', { type: SchemaType.AVRO, schema: JSON.stringify(paymentV1) })).toBe(id);

    const encoded = await registry.encode(id, { id: 'p-1', amount: 12.5 });
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ id: 'p-1', amount: 12.5 });

    const fresh = new SchemaRegistry({ host: url });
    expect(await fresh.decode(encoded)).toEqual({ id: 'p-1', amount: 12.5 });
  });

  it('evolves a schema compatibly and decodes old data with the new reader schema', async () => {
    const v1 = await registry.getLatestSchemaId('payments-value');
    const old = await registry.encode(v1, { id: 'p-2', amount: 1 });
    const { id: v2 } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(paymentV2) }, { subject: 'payments-value' });
    expect(v2).not.toBe(v1);
    const reader = await registry.getSchema(v2);
    expect(await registry.decode(old, { [SchemaType.AVRO]: { readerSchema: reader } })).toEqual({ id: 'p-2', amount: 1, currency: 'EUR' });
  });

  it('registers and uses schemas with references', async () => {
    const money = { type: 'record', name: 'Money', namespace: 'com.example.refs', fields: [{ name: 'cents', type: 'long' }, { name: 'currency', type: 'string' }] };
    const invoice = { type: 'record', name: 'Invoice', namespace: 'com.example.refs', fields: [{ name: 'number', type: 'string' }, { name: 'total', type: 'com.example.refs.Money' }] };
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(money) }, { subject: 'money-value' });
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(invoice), references: [{ name: 'com.example.refs.Money', subject: 'money-value', version: 1 }] },
      { subject: 'invoice-value' },
    );
    const payload = { number: 'INV-7', total: { cents: 1999, currency: 'EUR' } };
    const fresh = new SchemaRegistry({ host: url });
    expect(await fresh.decode(await registry.encode(id, payload))).toEqual(payload);
  });

  it('a kafkajs producer writes Avro records that a second process decodes through the registry', async () => {
    const kafka = new Kafka({ clientId: 'registry-client-test', brokers: [broker.bootstrap], logLevel: logLevel.ERROR });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const id = await registry.getLatestSchemaId('payments-value');
    const records = Array.from({ length: 25 }, (_, i) => ({ id: `p-${i}`, amount: i * 1.5, currency: i % 2 === 0 ? 'EUR' : 'USD' }));
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'payments', acks: -1, messages: await Promise.all(records.map(async (r) => ({ key: r.id, value: await registry.encode(id, r) }))) });
    await producer.disconnect();

    const root = findRepoRoot();
    const script = path.join(root, 'dist', 'apps', 'broker', 'test-registry', 'avro-decode-consumer.js');
    const result = await runCommand(process.execPath, [script, broker.bootstrap, url, 'payments', String(records.length)], { timeoutMs: 90_000 });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const decoded = result.stdout
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; value: unknown });
    expect(decoded.map((d) => d.key)).toEqual(records.map((r) => r.id));
    expect(decoded.map((d) => d.value)).toEqual(records);
  });
});
