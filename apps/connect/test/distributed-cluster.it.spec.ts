import { startBroker, type BrokerProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { startConnectCluster, statusesOf, tasksPerWorker, type ClusterWorker } from './support/connect-cluster';
import { waitFor } from './support/connect-rest';
import { PLAIN_CONVERTERS } from './support/connect-worker';
import { makeKafka, readAll, topicEndOffset } from './support/kafka';

/**
 * Distributed mode: three workers of one group share four connectors with six tasks;
 * the work is spread, every worker answers the same statuses with the real worker ids,
 * a task moved between live workers never runs on both, and the tasks of a worker
 * killed -9 run elsewhere once its session (10 s) expired.
 */
describe('connect cluster of three workers', () => {
  let broker: BrokerProcess;
  let workers: ClusterWorker[];
  let kafka: Kafka;
  let killed: ClusterWorker | undefined;
  const connectors = [
    { name: 'dist-a', tasks: 1 },
    { name: 'dist-b', tasks: 1 },
    { name: 'dist-c', tasks: 2 },
    { name: 'dist-d', tasks: 2 },
  ];
  const names = connectors.map((c) => c.name);
  const totalTasks = connectors.reduce((n, c) => n + c.tasks, 0);

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } });
    workers = await startConnectCluster(broker.bootstrap, 3);
    kafka = makeKafka(broker.bootstrap);
  });
  afterAll(async () => {
    for (const w of workers ?? []) await w.process.stop().catch(() => undefined);
    await broker?.stop();
  });

  /** Every connector and task RUNNING, on `alive` workers only, and every worker in `alive` answering the same. */
  const waitForSpread = (alive: ClusterWorker[], timeoutMs: number) =>
    waitFor(
      `${totalTasks} tasks running on ${alive.length} workers, statuses agreed`,
      async () => {
        const ids = new Set(alive.map((w) => w.workerId));
        const views = await Promise.all(alive.map((w) => statusesOf(w.rest, names)));
        const first = JSON.stringify(views[0]);
        if (views.some((v) => JSON.stringify(v) !== first)) return false;
        const all = views[0].flatMap((s) => [s.connector, ...s.tasks]);
        if (views[0].reduce((n, s) => n + s.tasks.length, 0) !== totalTasks) return false;
        return all.every((x) => x.state === 'RUNNING' && ids.has(x.worker_id)) ? views[0] : false;
      },
      timeoutMs,
    );

  test('four connectors with six tasks spread over three workers; every worker answers the same status', async () => {
    for (const [i, c] of connectors.entries()) {
      const config = { 'connector.class': 'FakeSource', topic: `${c.name}-topic`, 'tasks.max': String(c.tasks), 'fake.records.per.read': '5', 'fake.poll.interval.ms': '50', ...PLAIN_CONVERTERS };
      // each create goes to another worker: followers forward it to the leader
      const created = await workers[i % workers.length].rest.call('POST', '/connectors', { name: c.name, config });
      expect(created.status).toBe(201);
    }
    await waitForSpread(workers, 60_000);
    const perWorker = await waitFor('no worker idle', async () => {
      const counts = await tasksPerWorker(workers[0].rest, names);
      return workers.every((w) => (counts.get(w.workerId) ?? 0) >= 1) ? counts : false;
    });
    const fairShare = Math.ceil(totalTasks / workers.length);
    for (const w of workers) expect(perWorker.get(w.workerId) ?? 0).toBeLessThanOrEqual(fairShare + 1);
    // tasks handed over between live workers while the cluster balanced never ran twice:
    // a task running on two workers at once would have produced the same key twice
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // active topics live in connect-status: every worker answers them, whoever runs the tasks
    const expected = JSON.stringify({ 'dist-c': { topics: ['dist-c-topic'] } });
    await waitFor('every worker lists dist-c-topic', async () => (await Promise.all(workers.map((w) => w.rest.get('/connectors/dist-c/topics')))).every((r) => JSON.stringify(r.body) === expected));
    for (const c of connectors) {
      const keys = (await readAll(kafka, `${c.name}-topic`)).map((m) => String(m.key));
      expect(keys.length).toBeGreaterThan(0);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  test('a worker killed -9: its tasks run on the others within 30 s, which agree on the status', async () => {
    const counts = await tasksPerWorker(workers[0].rest, names);
    const victim = [...workers].sort((a, b) => (counts.get(b.workerId) ?? 0) - (counts.get(a.workerId) ?? 0))[0];
    expect(counts.get(victim.workerId) ?? 0).toBeGreaterThan(0);
    const survivors = workers.filter((w) => w !== victim);
    const killedAt = Date.now();
    await victim.process.kill();
    killed = victim;
    await waitForSpread(survivors, 30_000);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    const after = await tasksPerWorker(survivors[0].rest, names);
    for (const w of survivors) expect(after.get(w.workerId) ?? 0).toBeGreaterThanOrEqual(1);
    // the moved tasks produce again
    const ends = () => Promise.all(names.map((n) => topicEndOffset(kafka, `${n}-topic`)));
    const before = await ends();
    await waitFor('every connector producing after the move', async () => (await ends()).every((e, i) => e > before[i]));
  }, 90_000);

  test('the restarted worker rejoins and gets work back; a write sent to any worker applies cluster-wide', async () => {
    const victim = killed;
    if (!victim) throw new Error('the previous test killed no worker');
    await victim.process.restart();
    await waitForSpread(workers, 60_000);
    await waitFor('the rejoined worker runs a task', async () => ((await tasksPerWorker(workers[0].rest, names)).get(victim.workerId) ?? 0) >= 1);
    // pause through one worker, observed on all; once the answer came, dist-d's tasks
    // (on whichever workers) produce nothing more
    const pausedAt = Date.now();
    expect((await victim.rest.call('PUT', '/connectors/dist-d/pause')).status).toBe(202);
    expect(Date.now() - pausedAt).toBeLessThan(1_000);
    const endAtPause = await topicEndOffset(kafka, 'dist-d-topic');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await topicEndOffset(kafka, 'dist-d-topic')).toBe(endAtPause);
    for (const w of workers) await w.rest.waitForState('dist-d', 'PAUSED', 2);
    expect((await workers[0].rest.call('PUT', '/connectors/dist-d/resume')).status).toBe(202);
    for (const w of workers) await w.rest.waitForState('dist-d', 'RUNNING', 2);
    // the same name created through two workers at once: both writes reach the leader, which serialises them
    const dup = { 'connector.class': 'FakeSource', topic: 'dist-dup-topic', 'tasks.max': '1', ...PLAIN_CONVERTERS };
    const both = await Promise.all([1, 2].map((i) => workers[i].rest.call('POST', '/connectors', { name: 'dist-dup', config: dup })));
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await workers[1].rest.call('DELETE', '/connectors/dist-a')).status).toBe(204);
    for (const w of workers) await waitFor('dist-a gone everywhere', async () => (await w.rest.get('/connectors/dist-a/status')).status === 404);
  }, 120_000);
});
