import type { Kafka } from 'kafkajs';
import { ConnectRest, waitFor, type ConnectorStatus } from './support/connect-rest';
import { PLAIN_CONVERTERS, useConnectWorker } from './support/connect-worker';
import { readAll } from './support/kafka';

/** Failing connectors and tasks: FAILED with a trace, restarts, errors.tolerance and the dead letter queue. */
describe('connect task failures', () => {
  let rest: ConnectRest;
  let kafka: Kafka;
  const plain = PLAIN_CONVERTERS;

  useConnectWorker((env) => {
    ({ rest, kafka } = env);
  });

  const taskState = async (name: string, id: number) => (await rest.get(`/connectors/${name}/tasks/${id}/status`)).body as { id: number; state: string; trace?: string };

  const produce = async (topic: string, values: (string | Buffer)[]) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
    await producer.disconnect();
  };

  const sinkOffset = async (name: string): Promise<number | undefined> =>
    ((await rest.get(`/connectors/${name}/offsets`)).body as { offsets: { offset: { kafka_offset: number } }[] }).offsets[0]?.offset.kafka_offset;

  test('a failing source task shows FAILED with its trace; restarting it runs it again', async () => {
    const config = { 'connector.class': 'FakeSource', topic: 'fail-src-topic', 'tasks.max': '1', 'fake.fail.reads': '1', ...plain };
    await rest.call('POST', '/connectors', { name: 'fail-src', config });
    const failed = await waitFor('task FAILED', async () => {
      const t = await taskState('fail-src', 0);
      return t.state === 'FAILED' ? t : undefined;
    });
    expect(failed.trace).toContain('read failed on purpose');
    const status = await rest.status('fail-src');
    expect(status.connector.state).toBe('RUNNING');
    expect(status.tasks[0]).toEqual({ id: 0, state: 'FAILED', worker_id: expect.any(String), trace: expect.stringContaining('Error') });
    expect((await rest.call('POST', '/connectors/fail-src/tasks/0/restart')).status).toBe(204);
    const running = await rest.waitForState('fail-src', 'RUNNING', 1);
    expect(running.tasks[0].trace).toBeUndefined();
  });

  test('restart?includeTasks&onlyFailed restarts only the failed tasks', async () => {
    const config = { 'connector.class': 'FakeSource', topic: 'fail-twice-topic', 'tasks.max': '1', 'fake.fail.reads': '2', ...plain };
    await rest.call('POST', '/connectors', { name: 'fail-twice', config });
    await waitFor('task FAILED', async () => (await taskState('fail-twice', 0)).state === 'FAILED');
    const restart = await rest.call('POST', '/connectors/fail-twice/restart?includeTasks=true&onlyFailed=true');
    expect(restart.status).toBe(202);
    const body = restart.body as ConnectorStatus;
    expect(body.connector.state).toBe('RUNNING');
    expect(body.tasks[0].state).toBe('RESTARTING');
    await waitFor('task FAILED again', async () => (await taskState('fail-twice', 0)).state === 'FAILED');
    expect((await rest.call('POST', '/connectors/fail-twice/restart?includeTasks=true&onlyFailed=true')).status).toBe(202);
    await rest.waitForState('fail-twice', 'RUNNING', 1);
  });

  test('a connector that fails to start shows FAILED with its trace and recovers after a config fix', async () => {
    const config = { 'connector.class': 'FakeSource', topic: 'fail-conn-topic', 'fake.fail.connector': 'true', ...plain };
    await rest.call('POST', '/connectors', { name: 'fail-conn', config });
    const status = await waitFor('connector FAILED', async () => {
      const s = await rest.status('fail-conn');
      return s.connector.state === 'FAILED' ? s : undefined;
    });
    expect(status.connector.trace).toContain('connector start failed on purpose');
    expect(status.tasks).toEqual([]);
    const restart = await rest.call('POST', '/connectors/fail-conn/restart?onlyFailed=true');
    expect(restart.status).toBe(202);
    expect((restart.body as ConnectorStatus).connector.state).toBe('RESTARTING');
    await waitFor('connector FAILED again', async () => (await rest.status('fail-conn')).connector.state === 'FAILED');
    expect((await rest.call('PATCH', '/connectors/fail-conn/config', { 'fake.fail.connector': 'false' })).status).toBe(200);
    await rest.waitForState('fail-conn', 'RUNNING', 1);
  });

  test('sink with errors.tolerance=none fails on a record it cannot convert', async () => {
    await produce('tol-none-in', ['{"ok":1}', 'not json']);
    await rest.call('POST', '/connectors', { name: 'tol-none', config: { 'connector.class': 'FakeSink', topics: 'tol-none-in', ...plain } });
    const failed = await waitFor('sink task FAILED', async () => {
      const t = await taskState('tol-none', 0);
      return t.state === 'FAILED' ? t : undefined;
    });
    expect(failed.trace).toBeDefined();
  });

  test('sink with errors.tolerance=all sends bad records to the DLQ with __connect.errors.* headers', async () => {
    await produce('tol-all-in', ['{"a":1}', 'not json', '{"a":3}']);
    const config = {
      'connector.class': 'FakeSink',
      topics: 'tol-all-in',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'tol-all-dlq',
      'errors.deadletterqueue.context.headers.enable': 'true',
      ...plain,
    };
    expect((await rest.call('POST', '/connectors', { name: 'tol-all', config })).status).toBe(201);
    await waitFor('all three records consumed', async () => (await sinkOffset('tol-all')) === 3);
    expect((await rest.status('tol-all')).tasks[0].state).toBe('RUNNING');
    const dlq = await readAll(kafka, 'tol-all-dlq');
    expect(dlq).toHaveLength(1);
    expect(String(dlq[0].value)).toBe('not json');
    const headers = Object.fromEntries(Object.entries(dlq[0].headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(headers).toMatchObject({
      '__connect.errors.topic': 'tol-all-in',
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '1',
      '__connect.errors.connector.name': 'tol-all',
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'VALUE_CONVERTER',
    });
    expect(headers['__connect.errors.exception.message']).toBeDefined();
  });

  test('a sink whose write fails is FAILED; restarting the task consumes from the committed offset', async () => {
    await produce('fail-write-in', ['{"a":1}', '{"a":2}']);
    await rest.call('POST', '/connectors', { name: 'fail-write', config: { 'connector.class': 'FakeSink', topics: 'fail-write-in', 'fake.fail.writes': '1', ...plain } });
    const failed = await waitFor('sink task FAILED', async () => {
      const t = await taskState('fail-write', 0);
      return t.state === 'FAILED' ? t : undefined;
    });
    expect(failed.trace).toContain('write failed on purpose');
    expect(await sinkOffset('fail-write')).toBeUndefined();
    expect((await rest.call('POST', '/connectors/fail-write/tasks/0/restart')).status).toBe(204);
    await rest.waitForState('fail-write', 'RUNNING', 1);
    await waitFor('both records consumed after the restart', async () => (await sinkOffset('fail-write')) === 2);
  });
});
