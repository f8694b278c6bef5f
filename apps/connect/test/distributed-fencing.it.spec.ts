import { startBroker, type BrokerProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { startConnectCluster, statusesOf, type ClusterWorker } from './support/connect-cluster';
import { waitFor } from './support/connect-rest';
import { PLAIN_CONVERTERS } from './support/connect-worker';
import { makeKafka, readAll, topicEndOffset } from './support/kafka';

/**
 * Fencing by group generation: a worker frozen (SIGSTOP) past its session timeout loses
 * its source task to the other worker; when it wakes up (SIGCONT) with a batch in hand
 * it may neither produce it nor commit its stale offsets (which would rewind the new
 * owner's), and its stale status does not override the new owner's. The only repeated
 * records allowed are the at-least-once kind: one batch (5 records) produced just before
 * the freeze whose offsets were not committed yet.
 */
describe('a zombie worker cannot commit', () => {
  let broker: BrokerProcess;
  let workers: ClusterWorker[];
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } });
    workers = await startConnectCluster(broker.bootstrap, 2);
    kafka = makeKafka(broker.bootstrap);
  });
  afterAll(async () => {
    for (const w of workers ?? []) {
      if (w.process.pid !== undefined) process.kill(w.process.pid, 'SIGCONT');
      await w.process.stop().catch(() => undefined);
    }
    await broker?.stop();
  });

  test('the frozen owner wakes up fenced: at most the batch in flight at the freeze repeats, the status stays with the new owner', async () => {
    const config = { 'connector.class': 'FakeSource', topic: 'fenced-topic', 'tasks.max': '1', 'fake.records.per.read': '5', 'fake.poll.interval.ms': '20', ...PLAIN_CONVERTERS };
    expect((await workers[0].rest.call('POST', '/connectors', { name: 'fenced', config })).status).toBe(201);
    const owner = await waitFor('the task runs', async () => {
      const s = await workers[0].rest.status('fenced');
      return s.tasks[0]?.state === 'RUNNING' ? s.tasks[0].worker_id : false;
    });
    await waitFor('records flow', async () => (await topicEndOffset(kafka, 'fenced-topic')) > 50);
    const zombie = workers.find((w) => w.workerId === owner) as ClusterWorker;
    const other = workers.find((w) => w !== zombie) as ClusterWorker;
    process.kill(zombie.process.pid as number, 'SIGSTOP');
    await waitFor(
      'the task runs on the other worker',
      async () => {
        const s = await other.rest.status('fenced');
        return s.tasks[0]?.state === 'RUNNING' && s.tasks[0].worker_id === other.workerId;
      },
      30_000,
    );
    const before = await topicEndOffset(kafka, 'fenced-topic');
    await waitFor('the new owner produces', async () => (await topicEndOffset(kafka, 'fenced-topic')) > before + 50);
    process.kill(zombie.process.pid as number, 'SIGCONT');
    // the zombie notices it lost the group, stops its work and rejoins; meanwhile its
    // batch in hand must not reach the topic
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const keys = (await readAll(kafka, 'fenced-topic')).map((m) => String(m.key));
    expect(keys.length - new Set(keys).size).toBeLessThanOrEqual(5);
    // the zombie's stale offsets never reached connect-offsets: the task's committed
    // position only moves forward in log order (a stale commit would rewind it)
    const positions = (await readAll(kafka, 'connect-offsets'))
      .filter((m) => String(m.key).startsWith('["fenced",') && m.value !== null)
      .map((m) => (JSON.parse(String(m.value)) as { position: number }).position);
    expect(positions.length).toBeGreaterThan(10);
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThanOrEqual(positions[i - 1]);
    await waitFor('both workers agree the task runs on the new owner', async () => {
      const views = await Promise.all(workers.map((w) => statusesOf(w.rest, ['fenced'])));
      return views.every((v) => v[0].tasks[0]?.state === 'RUNNING' && v[0].tasks.length === 1 && JSON.stringify(v) === JSON.stringify(views[0]));
    });
  }, 90_000);
});
