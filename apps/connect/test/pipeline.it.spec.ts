import type { BrokerProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { ConnectRest, waitFor } from './support/connect-rest';
import { PLAIN_CONVERTERS, useConnectWorker } from './support/connect-worker';
import { readAll } from './support/kafka';

/** The record pipeline: transforms (SMTs) on source and sink records, their validation and their errors. */
describe('connect record pipeline', () => {
  let broker: BrokerProcess;
  let rest: ConnectRest;
  let kafka: Kafka;
  const plain = PLAIN_CONVERTERS;

  useConnectWorker((env) => {
    ({ broker, rest, kafka } = env);
  }, { withRegistry: true });

  test('source transforms route and enrich records before they reach Kafka', async () => {
    const config = {
      'connector.class': 'FakeSource',
      topic: 'pipe-raw',
      'tasks.max': '1',
      'fake.max.records': '20',
      transforms: 'route,tag',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': 'pipe-(.*)',
      'transforms.route.replacement': 'routed-$1',
      'transforms.tag.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
      'transforms.tag.static.field': 'origin',
      'transforms.tag.static.value': 'fake',
      ...plain,
    };
    expect((await rest.call('POST', '/connectors', { name: 'pipe-src', config })).status).toBe(201);
    await waitFor('20 offsets committed', async () => {
      const body = (await rest.get('/connectors/pipe-src/offsets')).body as { offsets: { offset: { position: number } }[] };
      return body.offsets[0]?.offset.position === 19;
    });
    const values = (await readAll(kafka, 'routed-raw')).map((m) => JSON.parse(String(m.value)) as Record<string, unknown>);
    expect(values).toHaveLength(20);
    expect(values[0]).toEqual({ task: 0, position: 0, origin: 'fake' });
  });

  test('by default keys and values are Avro against the platform registry, end to end', async () => {
    const source = { 'connector.class': 'FakeSource', topic: 'pipe-avro', 'tasks.max': '1', 'fake.max.records': '15' };
    expect((await rest.call('POST', '/connectors', { name: 'pipe-avro-src', config: source })).status).toBe(201);
    await waitFor('15 offsets committed', async () => {
      const body = (await rest.get('/connectors/pipe-avro-src/offsets')).body as { offsets: { offset: { position: number } }[] };
      return body.offsets[0]?.offset.position === 14;
    });
    const messages = await readAll(kafka, 'pipe-avro');
    expect(messages).toHaveLength(15);
    for (const m of messages) {
      expect(m.value?.[0]).toBe(0);
      expect(m.key?.[0]).toBe(0);
    }
    const subjects = (await (await fetch(`http://127.0.0.1:${broker.httpPort}/subjects`)).json()) as string[];
    expect(subjects).toEqual(expect.arrayContaining(['pipe-avro-key', 'pipe-avro-value']));

    const sink = { 'connector.class': 'FakeSink', topics: 'pipe-avro' };
    expect((await rest.call('POST', '/connectors', { name: 'pipe-avro-sink', config: sink })).status).toBe(201);
    // sources run exactly once: transaction markers sit between records, so the sink is
    // done once its committed offset passed the last record's
    const pastLast = Number(messages[messages.length - 1].offset) + 1;
    await waitFor('the Avro sink consumed all 15', async () => {
      const body = (await rest.get('/connectors/pipe-avro-sink/offsets')).body as { offsets: { offset: { kafka_offset: number } }[] };
      return (body.offsets[0]?.offset.kafka_offset ?? 0) >= pastLast;
    });
    expect((await rest.status('pipe-avro-sink')).tasks[0].state).toBe('RUNNING');
  });

  test('a sink created before its topic exists waits for it, then consumes', async () => {
    const sink = { 'connector.class': 'FakeSink', topics: 'pipe-late', ...plain };
    expect((await rest.call('POST', '/connectors', { name: 'pipe-late-sink', config: sink })).status).toBe(201);
    await rest.waitForState('pipe-late-sink', 'RUNNING', 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await rest.status('pipe-late-sink')).tasks[0].state).toBe('RUNNING');
    const source = { 'connector.class': 'FakeSource', topic: 'pipe-late', 'tasks.max': '1', 'fake.max.records': '10', ...plain };
    expect((await rest.call('POST', '/connectors', { name: 'pipe-late-src', config: source })).status).toBe(201);
    const produced = await waitFor('the source produced its 10 records', async () => {
      const all = await readAll(kafka, 'pipe-late').catch(() => []);
      return all.length === 10 ? all : false;
    });
    const pastLast = Number(produced[9].offset) + 1;
    await waitFor('the sink consumed the 10 records', async () => {
      const body = (await rest.get('/connectors/pipe-late-sink/offsets')).body as { offsets: { offset: { kafka_offset: number } }[] };
      return (body.offsets[0]?.offset.kafka_offset ?? 0) >= pastLast;
    });
  });

  test('transform config errors name their keys (validate and 400)', async () => {
    const config = { 'connector.class': 'FakeSource', topic: 't', transforms: 'a', 'transforms.a.type': 'NoSuchTransform', ...plain };
    const create = await rest.call('POST', '/connectors', { name: 'pipe-bad', config });
    expect(create.status).toBe(400);
    expect((create.body as { message: string }).message).toContain('transforms.a.type');
    const missingType = await rest.call('PUT', '/connector-plugins/FakeSource/config/validate', { ...config, 'transforms.a.type': '' });
    const infos = missingType.body as { error_count: number; configs: { value: { name: string; errors: string[] } }[] };
    expect(infos.error_count).toBeGreaterThan(0);
    expect(infos.configs.find((c) => c.value.name === 'transforms.a.type')?.value.errors[0]).toContain('transforms.a.type');
  });

  test('a sink transform failure with errors.tolerance=all goes to the DLQ (stage TRANSFORMATION)', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'pipe-sink-in', acks: -1, messages: [{ value: '{"a":1}' }, { value: '"not a map"' }, { value: '{"a":3}' }] });
    await producer.disconnect();
    const config = {
      'connector.class': 'FakeSink',
      topics: 'pipe-sink-in',
      transforms: 'tag',
      'transforms.tag.type': 'InsertField$Value',
      'transforms.tag.static.field': 'origin',
      'transforms.tag.static.value': 'x',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'pipe-dlq',
      'errors.deadletterqueue.context.headers.enable': 'true',
      ...plain,
    };
    expect((await rest.call('POST', '/connectors', { name: 'pipe-sink', config })).status).toBe(201);
    await waitFor('3 records consumed', async () => {
      const body = (await rest.get('/connectors/pipe-sink/offsets')).body as { offsets: { offset: { kafka_offset: number } }[] };
      return body.offsets[0]?.offset.kafka_offset === 3;
    });
    const dlq = await readAll(kafka, 'pipe-dlq');
    expect(dlq.map((m) => String(m.value))).toEqual(['"not a map"']);
    const headers = Object.fromEntries(Object.entries(dlq[0].headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(headers['__connect.errors.stage']).toBe('TRANSFORMATION');
    expect(headers['__connect.errors.offset']).toBe('1');
    expect((await rest.status('pipe-sink')).tasks[0].state).toBe('RUNNING');
  });
});
