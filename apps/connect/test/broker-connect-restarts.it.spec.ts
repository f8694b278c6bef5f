import type { BrokerProcess, ConnectProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { ConnectRest, waitFor } from './support/connect-rest';
import { PLAIN_CONVERTERS, useConnectWorker } from './support/connect-worker';
import { readAll, topicEndOffset } from './support/kafka';

/**
 * After a restart of the broker (graceful, then a crash with a 10 s outage), and then of
 * the worker, with one connector RUNNING and
 * one PAUSED, target states and source offsets resume correctly: the running source
 * goes on without gaps (the worker's source commit is at-least-once — records first,
 * then offsets — so a batch may repeat around a broker outage, never go missing), the
 * paused one stays PAUSED, produces nothing while paused, and once resumed continues
 * right after its stored offset. The same for two sinks reading the running source's
 * topic: the RUNNING one keeps committing up to the topic's end, the PAUSED one commits
 * nothing until resumed, then catches up from its committed offsets.
 */
describe('broker and worker restarts with RUNNING and PAUSED connectors', () => {
  let broker: BrokerProcess;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let kafka: Kafka;
  const plain = PLAIN_CONVERTERS;

  useConnectWorker((env) => {
    ({ broker, connect, rest, kafka } = env);
  });

  const positions = async (topic: string): Promise<number[]> =>
    (await readAll(kafka, topic)).map((m) => (JSON.parse(String(m.value)) as { position: number }).position).sort((a, b) => a - b);

  const committedPosition = async (name: string): Promise<number> => {
    const r = await rest.get(`/connectors/${name}/offsets`);
    if (r.status !== 200) return -1;
    const body = r.body as { offsets: { offset: { position: number } }[] };
    return body.offsets[0]?.offset.position ?? -1;
  };

  /** Sum of a sink connector's committed offsets (its consumer group's) over the topic's partitions. */
  const sinkOffset = async (name: string): Promise<number> => {
    const r = await rest.get(`/connectors/${name}/offsets`);
    if (r.status !== 200) return -1;
    const body = r.body as { offsets: { offset: { kafka_offset: number } | null }[] };
    return body.offsets.reduce((n, o) => n + (o.offset?.kafka_offset ?? 0), 0);
  };

  const endOffset = (topic: string): Promise<number> => topicEndOffset(kafka, topic);

  /** Polls `read` until it answers the same value twice in a row (in-flight work settled). */
  const settled = async (what: string, read: () => Promise<number>): Promise<number> => {
    let previous = Number.NaN;
    return waitFor(what, async () => {
      const now = await read();
      const same = now === previous;
      previous = now;
      return same ? now : undefined;
    });
  };

  /** Every position from 0 to the last is there; repeats are allowed (at-least-once). */
  const expectNoGaps = (seen: number[]): void => {
    expect(seen.length).toBeGreaterThan(0);
    expect([...new Set(seen)]).toEqual(Array.from({ length: seen[seen.length - 1] + 1 }, (_, i) => i));
  };

  test('states and offsets resume after a broker restart and a worker restart', async () => {
    const base = { 'connector.class': 'FakeSource', 'tasks.max': '1', 'fake.records.per.read': '5', 'fake.poll.interval.ms': '50', ...plain };
    expect((await rest.call('POST', '/connectors', { name: 'running-src', config: { ...base, topic: 'running-topic' } })).status).toBe(201);
    expect((await rest.call('POST', '/connectors', { name: 'paused-src', config: { ...base, topic: 'paused-topic' } })).status).toBe(201);
    await rest.waitForState('running-src', 'RUNNING', 1);
    await rest.waitForState('paused-src', 'RUNNING', 1);
    await waitFor('paused-src committed some records', async () => (await committedPosition('paused-src')) >= 20);
    await rest.call('PUT', '/connectors/paused-src/pause');
    await rest.waitForState('paused-src', 'PAUSED', 1);
    // A batch in flight when pausing still commits: wait until the paused one is quiet.
    const pausedAt = await settled('paused-src quiet', () => committedPosition('paused-src'));
    await new Promise((r) => setTimeout(r, 500));
    expect(await committedPosition('paused-src')).toBe(pausedAt);
    expect(await positions('paused-topic')).toEqual(Array.from({ length: pausedAt + 1 }, (_, i) => i));
    await waitFor('running-src committed some records', async () => (await committedPosition('running-src')) >= 50);

    // Two sinks reading the running source's topic: one RUNNING, one PAUSED once it consumed some.
    const sink = { 'connector.class': 'FakeSink', topics: 'running-topic', 'tasks.max': '1', ...plain };
    expect((await rest.call('POST', '/connectors', { name: 'running-sink', config: sink })).status).toBe(201);
    expect((await rest.call('POST', '/connectors', { name: 'paused-sink', config: sink })).status).toBe(201);
    await rest.waitForState('running-sink', 'RUNNING', 1);
    await rest.waitForState('paused-sink', 'RUNNING', 1);
    await waitFor('paused-sink committed some offsets', async () => (await sinkOffset('paused-sink')) >= 50);
    await rest.call('PUT', '/connectors/paused-sink/pause');
    await rest.waitForState('paused-sink', 'PAUSED', 1);
    const sinkPausedAt = await settled('paused-sink quiet', () => sinkOffset('paused-sink'));

    const checkAfterRestart = async (what: string): Promise<void> => {
      await rest.waitForState('running-src', 'RUNNING', 1, 60_000);
      await rest.waitForState('paused-src', 'PAUSED', 1, 60_000);
      await rest.waitForState('running-sink', 'RUNNING', 1, 60_000);
      await rest.waitForState('paused-sink', 'PAUSED', 1, 60_000);
      const from = await committedPosition('running-src');
      await waitFor(`running-src continues after the ${what} restart`, async () => (await committedPosition('running-src')) >= from + 50, 60_000);
      expectNoGaps(await positions('running-topic'));
      expect((await rest.status('running-src')).tasks[0].state).toBe('RUNNING');
      // The paused connector produced nothing and kept its offset.
      expect((await rest.status('paused-src')).connector.state).toBe('PAUSED');
      expect(await committedPosition('paused-src')).toBe(pausedAt);
      expect(await positions('paused-topic')).toEqual(Array.from({ length: pausedAt + 1 }, (_, i) => i));
      // The running sink keeps up with the growing topic; the paused one stays where it was.
      const end = await endOffset('running-topic');
      await waitFor(`running-sink catches up after the ${what} restart`, async () => (await sinkOffset('running-sink')) >= end, 60_000);
      expect((await rest.status('running-sink')).tasks[0].state).toBe('RUNNING');
      expect((await rest.status('paused-sink')).tasks[0].state).toBe('PAUSED');
      expect(await sinkOffset('paused-sink')).toBe(sinkPausedAt);
    };

    await broker.restart();
    await checkAfterRestart('broker');

    // A broker crash with an outage longer than the clients' own retries (about 6 s): the
    // running tasks retry their commits instead of failing.
    await broker.kill();
    await new Promise((r) => setTimeout(r, 10_000));
    await broker.restart();
    await checkAfterRestart('broker crash');

    await connect.restart();
    expect((await rest.get('/connectors')).body).toEqual(['paused-sink', 'paused-src', 'running-sink', 'running-src']);
    await checkAfterRestart('worker');

    // Resumed, the paused one continues right after its stored offset: nothing repeated.
    await rest.call('PUT', '/connectors/paused-src/resume');
    await rest.waitForState('paused-src', 'RUNNING', 1);
    await waitFor('paused-src continues', async () => (await committedPosition('paused-src')) >= pausedAt + 20);
    const seen = await positions('paused-topic');
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
    expect(seen.length).toBeGreaterThan(pausedAt + 20);

    await rest.call('PUT', '/connectors/paused-sink/resume');
    await rest.waitForState('paused-sink', 'RUNNING', 1);
    const end = await endOffset('running-topic');
    expect(end).toBeGreaterThan(sinkPausedAt);
    await waitFor('paused-sink catches up once resumed', async () => (await sinkOffset('paused-sink')) >= end, 60_000);

    await rest.call('PUT', '/connectors/running-src/stop');
    await rest.waitForState('running-src', 'STOPPED', 0);
    const final = await positions('running-topic');
    expectNoGaps(final);
    expect(final[final.length - 1]).toBeGreaterThanOrEqual(await committedPosition('running-src'));
  });
});
