import type { Kafka } from 'kafkajs';
import { ConnectRest, waitFor, type ConnectorStatus } from './support/connect-rest';
import { PLAIN_CONVERTERS, useConnectWorker } from './support/connect-worker';

/** Every REST endpoint of the connect worker: shapes and status codes, with the fake plugins. */
describe('connect REST API', () => {
  let rest: ConnectRest;
  let kafka: Kafka;
  const plain = PLAIN_CONVERTERS;
  const source = (topic: string, extra: Record<string, string> = {}) => ({ 'connector.class': 'FakeSource', topic, 'tasks.max': '2', ...plain, ...extra });

  useConnectWorker((env) => {
    ({ rest, kafka } = env);
  }, { withRegistry: true });

  test('GET / answers version, commit and the Kafka cluster id', async () => {
    const r = await rest.get('/');
    expect(r.status).toBe(200);
    const body = r.body as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['commit', 'kafka_cluster_id', 'version']);
    const admin = kafka.admin();
    await admin.connect();
    expect(body.kafka_cluster_id).toBe((await admin.describeCluster()).clusterId);
    await admin.disconnect();
  });

  test('plugins: list, config definitions, validate, 404 for an unknown plugin', async () => {
    const list = await rest.get('/connector-plugins');
    expect(list.status).toBe(200);
    expect(list.body).toEqual(
      expect.arrayContaining([
        { class: 'FakeSource', type: 'source', version: expect.any(String) },
        { class: 'FakeSink', type: 'sink', version: expect.any(String) },
        { class: 'jdbc-source', type: 'source', version: expect.any(String) },
        { class: 'InMemorySource', type: 'source', version: expect.any(String) },
        { class: 'InMemorySink', type: 'sink', version: expect.any(String) },
        { class: 'jdbc-sink', type: 'sink', version: expect.any(String) },
      ]),
    );
    const defs = await rest.get('/connector-plugins/FakeSource/config');
    expect(defs.status).toBe(200);
    const topic = (defs.body as { name: string }[]).find((d) => d.name === 'topic');
    expect(topic).toEqual({
      name: 'topic',
      type: 'STRING',
      required: true,
      default_value: null,
      importance: 'HIGH',
      documentation: expect.any(String),
      group: expect.anything(),
      width: expect.any(String),
      display_name: expect.any(String),
      dependents: [],
      order: expect.any(Number),
    });
    expect((await rest.get('/connector-plugins/NoSuchPlugin/config')).status).toBe(404);

    const good = await rest.call('PUT', '/connector-plugins/FakeSource/config/validate', { ...source('x'), name: 'v' });
    expect(good.status).toBe(200);
    const infos = good.body as { name: string; error_count: number; groups: string[]; configs: { definition: { name: string }; value: { name: string; value: unknown; errors: string[]; recommended_values: string[]; visible: boolean } }[] };
    expect(infos.name).toBe('FakeSource');
    expect(infos.error_count).toBe(0);
    expect(infos.groups).toContain('Common');
    expect(infos.configs.find((c) => c.value.name === 'tasks.max')?.value).toEqual({ name: 'tasks.max', value: '2', recommended_values: [], errors: [], visible: true });

    const bad = await rest.call('PUT', '/connector-plugins/FakeSource/config/validate', { name: 'v', 'connector.class': 'FakeSource', 'tasks.max': 'many' });
    expect(bad.status).toBe(200);
    const badInfos = bad.body as typeof infos;
    expect(badInfos.error_count).toBe(2);
    expect(badInfos.configs.find((c) => c.value.name === 'topic')?.value.errors).toEqual(['Missing required configuration "topic" which has no default value.']);
    expect(badInfos.configs.find((c) => c.value.name === 'tasks.max')?.value.errors[0]).toContain('tasks.max');

    const sink = await rest.call('PUT', '/connector-plugins/FakeSink/config/validate', { name: 'v', 'connector.class': 'FakeSink' });
    expect((sink.body as typeof infos).configs.find((c) => c.value.name === 'topics')?.value.errors).toEqual(['Must configure one of topics or topics.regex']);
    expect((await rest.call('PUT', '/connector-plugins/NoSuchPlugin/config/validate', {})).status).toBe(404);
  });

  test('POST /connectors: 201 with the connector, 409 when it exists, 400 naming bad fields', async () => {
    const created = await rest.call('POST', '/connectors', { name: 'rest-src', config: source('rest-src-topic') });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'rest-src', config: { ...source('rest-src-topic'), name: 'rest-src' }, tasks: expect.any(Array), type: 'source' });

    const again = await rest.call('POST', '/connectors', { name: 'rest-src', config: source('other') });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error_code: 409, message: expect.stringContaining('rest-src') });

    const invalid = await rest.call('POST', '/connectors', { name: 'rest-bad', config: { 'connector.class': 'FakeSource', 'tasks.max': '0' } });
    expect(invalid.status).toBe(400);
    const message = (invalid.body as { error_code: number; message: string }).message;
    expect((invalid.body as { error_code: number }).error_code).toBe(400);
    expect(message).toContain('"topic"');
    expect(message).toContain('tasks.max');

    const unknownClass = await rest.call('POST', '/connectors', { name: 'rest-bad', config: { 'connector.class': 'Nope' } });
    expect(unknownClass.status).toBe(400);
    expect((unknownClass.body as { message: string }).message).toContain('Nope');
    const noName = await rest.call('POST', '/connectors', { config: source('t') });
    expect(noName.status).toBe(400);
    expect((noName.body as { message: string }).message).toContain('name');
    const malformed = await rest.call('POST', '/connectors', '{"name": ');
    expect(malformed.status).toBe(400);
    expect((malformed.body as { error_code: number }).error_code).toBe(400);
    expect((await rest.get('/connectors/rest-bad')).status).toBe(404);

    const status = await rest.waitForState('rest-src', 'RUNNING', 2);
    expect(status).toEqual({
      name: 'rest-src',
      connector: { state: 'RUNNING', worker_id: expect.any(String) },
      tasks: [
        { id: 0, state: 'RUNNING', worker_id: expect.any(String) },
        { id: 1, state: 'RUNNING', worker_id: expect.any(String) },
      ],
      type: 'source',
    });
  });

  test('GET /connectors, ?expand=status|info, GET /connectors/{c}, 404 for unknown', async () => {
    const names = await rest.get('/connectors');
    expect(names.status).toBe(200);
    expect(names.body).toContain('rest-src');
    const expanded = await rest.get('/connectors?expand=status&expand=info');
    const entry = (expanded.body as Record<string, { status: ConnectorStatus; info: { name: string; tasks: unknown[] } }>)['rest-src'];
    expect(entry.status.name).toBe('rest-src');
    expect(entry.status.connector.state).toBe('RUNNING');
    expect(entry.info).toEqual({ name: 'rest-src', config: expect.any(Object), tasks: [{ connector: 'rest-src', task: 0 }, { connector: 'rest-src', task: 1 }], type: 'source' });
    const statusOnly = (await rest.get('/connectors?expand=status')).body as Record<string, object>;
    expect(Object.keys(statusOnly['rest-src'])).toEqual(['status']);

    const one = await rest.get('/connectors/rest-src');
    expect(one.status).toBe(200);
    expect(one.body).toEqual(entry.info);
    const missing = await rest.get('/connectors/nope');
    expect(missing).toEqual({ status: 404, body: { error_code: 404, message: expect.stringContaining('nope') } });
    for (const path of ['/connectors/nope/config', '/connectors/nope/status', '/connectors/nope/tasks', '/connectors/nope/offsets']) expect((await rest.get(path)).status).toBe(404);
    for (const [method, path] of [['PUT', '/connectors/nope/pause'], ['PUT', '/connectors/nope/resume'], ['PUT', '/connectors/nope/stop'], ['POST', '/connectors/nope/restart'], ['DELETE', '/connectors/nope']]) {
      expect((await rest.call(method, path)).status).toBe(404);
    }
  });

  test('tasks: list, task status, 404 for an unknown task', async () => {
    const tasks = await rest.get('/connectors/rest-src/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.body).toEqual([
      { id: { connector: 'rest-src', task: 0 }, config: expect.objectContaining({ topic: 'rest-src-topic' }) },
      { id: { connector: 'rest-src', task: 1 }, config: expect.objectContaining({ topic: 'rest-src-topic' }) },
    ]);
    expect(await rest.get('/connectors/rest-src/tasks/1/status')).toEqual({ status: 200, body: { id: 1, state: 'RUNNING', worker_id: expect.any(String) } });
    expect((await rest.get('/connectors/rest-src/tasks/5/status')).status).toBe(404);
    expect((await rest.get('/connectors/rest-src/tasks/x/status')).status).toBe(404);
  });

  test('config: GET, PUT creates (201) and updates (200), PATCH merges, 400 on bad input', async () => {
    expect(await rest.get('/connectors/rest-src/config')).toEqual({ status: 200, body: { ...source('rest-src-topic'), name: 'rest-src' } });
    const createdByPut = await rest.call('PUT', '/connectors/rest-put/config', source('rest-put-topic', { 'tasks.max': '1' }));
    expect(createdByPut.status).toBe(201);
    expect((createdByPut.body as { name: string }).name).toBe('rest-put');
    await rest.waitForState('rest-put', 'RUNNING', 1);
    const updated = await rest.call('PUT', '/connectors/rest-put/config', source('rest-put-topic', { 'tasks.max': '2' }));
    expect(updated.status).toBe(200);
    await rest.waitForState('rest-put', 'RUNNING', 2);
    const wrongName = await rest.call('PUT', '/connectors/rest-put/config', { ...source('x'), name: 'other' });
    expect(wrongName.status).toBe(400);
    const invalidPut = await rest.call('PUT', '/connectors/rest-put/config', { 'connector.class': 'FakeSource', 'tasks.max': '1' });
    expect(invalidPut.status).toBe(400);
    expect((invalidPut.body as { message: string }).message).toContain('"topic"');

    const patched = await rest.call('PATCH', '/connectors/rest-put/config', { 'tasks.max': '1', 'fake.poll.interval.ms': '50' });
    expect(patched.status).toBe(200);
    expect((patched.body as { config: Record<string, string> }).config).toMatchObject({ 'tasks.max': '1', 'fake.poll.interval.ms': '50', topic: 'rest-put-topic' });
    const removed = await rest.call('PATCH', '/connectors/rest-put/config', { 'fake.poll.interval.ms': null });
    expect((removed.body as { config: Record<string, string> }).config['fake.poll.interval.ms']).toBeUndefined();
    expect((await rest.call('PATCH', '/connectors/rest-put/config', { 'tasks.max': 'x' })).status).toBe(400);
    expect((await rest.call('PATCH', '/connectors/nope/config', { 'tasks.max': '1' })).status).toBe(404);
    await rest.waitForState('rest-put', 'RUNNING', 1);
  });

  test('pause, resume and stop answer 202 and take effect', async () => {
    expect((await rest.call('PUT', '/connectors/rest-put/pause')).status).toBe(202);
    await rest.waitForState('rest-put', 'PAUSED', 1);
    expect((await rest.call('PUT', '/connectors/rest-put/resume')).status).toBe(202);
    await rest.waitForState('rest-put', 'RUNNING', 1);
    expect((await rest.call('PUT', '/connectors/rest-put/stop')).status).toBe(202);
    const stopped = await rest.waitForState('rest-put', 'STOPPED', 0);
    expect(stopped.tasks).toEqual([]);
    expect((await rest.get('/connectors/rest-put/tasks')).body).toEqual([]);
    expect((await rest.call('PUT', '/connectors/rest-put/resume')).status).toBe(202);
    await rest.waitForState('rest-put', 'RUNNING', 1);
  });

  test('restart: 204 plain, 202 with the status when flags are given; task restart 204, 404 unknown task', async () => {
    const plainRestart = await rest.call('POST', '/connectors/rest-src/restart');
    expect(plainRestart).toEqual({ status: 204, body: undefined });
    const withTasks = await rest.call('POST', '/connectors/rest-src/restart?includeTasks=true&onlyFailed=false');
    expect(withTasks.status).toBe(202);
    const body = withTasks.body as ConnectorStatus;
    expect(body.name).toBe('rest-src');
    expect(body.connector.state).toBe('RESTARTING');
    expect(body.tasks.map((t) => t.state)).toEqual(['RESTARTING', 'RESTARTING']);
    await rest.waitForState('rest-src', 'RUNNING', 2);
    const onlyFailed = await rest.call('POST', '/connectors/rest-src/restart?includeTasks=true&onlyFailed=true');
    expect(onlyFailed.status).toBe(202);
    expect((onlyFailed.body as ConnectorStatus).tasks.map((t) => t.state)).toEqual(['RUNNING', 'RUNNING']);
    expect((await rest.call('POST', '/connectors/rest-src/tasks/1/restart')).status).toBe(204);
    expect((await rest.call('POST', '/connectors/rest-src/tasks/9/restart')).status).toBe(404);
    await rest.waitForState('rest-src', 'RUNNING', 2);
  });

  test('source offsets: GET, PATCH/DELETE only while STOPPED', async () => {
    const offsets = await waitFor('offsets of both tasks', async () => {
      const r = await rest.get('/connectors/rest-src/offsets');
      const list = (r.body as { offsets: { partition: { task: number }; offset: { position: number } }[] }).offsets;
      return list.length === 2 ? list : undefined;
    });
    expect(offsets.map((o) => o.partition).sort((a, b) => a.task - b.task)).toEqual([{ task: 0 }, { task: 1 }]);
    expect(typeof offsets[0].offset.position).toBe('number');

    const change = { offsets: [{ partition: { task: 0 }, offset: { position: 3 } }] };
    const notStopped = await rest.call('PATCH', '/connectors/rest-src/offsets', change);
    expect(notStopped.status).toBe(400);
    expect((notStopped.body as { message: string }).message).toContain('STOPPED');
    expect((await rest.call('DELETE', '/connectors/rest-src/offsets')).status).toBe(400);

    await rest.call('PUT', '/connectors/rest-src/stop');
    await rest.waitForState('rest-src', 'STOPPED', 0);
    expect((await rest.call('PATCH', '/connectors/rest-src/offsets', { offsets: [{ partition: { task: 0 } }] })).status).toBe(400);
    const altered = await rest.call('PATCH', '/connectors/rest-src/offsets', change);
    expect(altered).toEqual({ status: 200, body: { message: expect.stringContaining('altered') } });
    const after = (await rest.get('/connectors/rest-src/offsets')).body as { offsets: { partition: { task: number }; offset: unknown }[] };
    expect(after.offsets.find((o) => o.partition.task === 0)?.offset).toEqual({ position: 3 });
    const reset = await rest.call('DELETE', '/connectors/rest-src/offsets');
    expect(reset).toEqual({ status: 200, body: { message: expect.stringContaining('reset') } });
    expect((await rest.get('/connectors/rest-src/offsets')).body).toEqual({ offsets: [] });
  });

  test('sink connector: consumes, shows group offsets, resets them while STOPPED', async () => {
    const topic = 'rest-sink-in';
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i }) })) });
    await producer.disconnect();
    const created = await rest.call('POST', '/connectors', { name: 'rest-sink', config: { 'connector.class': 'FakeSink', topics: topic, ...plain } });
    expect(created.status).toBe(201);
    expect((created.body as { type: string }).type).toBe('sink');
    await rest.waitForState('rest-sink', 'RUNNING', 1);
    const offsets = await waitFor('sink offsets', async () => {
      const body = (await rest.get('/connectors/rest-sink/offsets')).body as { offsets: { partition: unknown; offset: { kafka_offset: number } }[] };
      return body.offsets.length === 1 && body.offsets[0].offset.kafka_offset === 20 ? body.offsets : undefined;
    });
    expect(offsets).toEqual([{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 20 } }]);
    await rest.call('PUT', '/connectors/rest-sink/stop');
    await rest.waitForState('rest-sink', 'STOPPED', 0);
    const altered = await rest.call('PATCH', '/connectors/rest-sink/offsets', { offsets: [{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 5 } }] });
    expect(altered.status).toBe(200);
    expect((await rest.get('/connectors/rest-sink/offsets')).body).toEqual({ offsets: [{ partition: { kafka_topic: topic, kafka_partition: 0 }, offset: { kafka_offset: 5 } }] });
    expect((await rest.call('DELETE', '/connectors/rest-sink/offsets')).status).toBe(200);
    expect((await rest.get('/connectors/rest-sink/offsets')).body).toEqual({ offsets: [] });
  });

  test('an exactly-once sink (connect-sdk InMemorySink) consumes through partitionsAssigned', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'rest-mem-in', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i }) })) });
    await producer.disconnect();
    const config = { 'connector.class': 'InMemorySink', topics: 'rest-mem-in', table: 'mem', ...plain };
    expect((await rest.call('POST', '/connectors', { name: 'rest-mem', config })).status).toBe(201);
    await rest.waitForState('rest-mem', 'RUNNING', 1);
    await waitFor('InMemorySink consumed 10', async () => {
      const body = (await rest.get('/connectors/rest-mem/offsets')).body as { offsets: { offset: { kafka_offset: number } }[] };
      return body.offsets[0]?.offset.kafka_offset === 10;
    });
  });

  test('DELETE /connectors/{c}: 204, then 404', async () => {
    expect(await rest.call('DELETE', '/connectors/rest-put')).toEqual({ status: 204, body: undefined });
    expect((await rest.get('/connectors/rest-put')).status).toBe(404);
    expect((await rest.get('/connectors')).body).not.toContain('rest-put');
  });

  test('/openapi.json describes the API; unknown routes answer the error shape', async () => {
    const doc = await rest.get('/openapi.json');
    expect(doc.status).toBe(200);
    const body = doc.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(body.openapi).toMatch(/^3\./);
    for (const path of ['/', '/connectors', '/connectors/{connector}', '/connectors/{connector}/config', '/connectors/{connector}/status', '/connectors/{connector}/restart', '/connectors/{connector}/tasks/{task}/restart', '/connectors/{connector}/offsets', '/connector-plugins/{plugin}/config/validate']) {
      expect(body.paths[path]).toBeDefined();
    }
    expect(Object.keys(body.paths['/connectors/{connector}/config']).sort()).toEqual(['get', 'patch', 'put']);
    const unknown = await rest.get('/no/such/route');
    expect(unknown.status).toBe(404);
    expect((unknown.body as { error_code: number }).error_code).toBe(404);
  });
});
