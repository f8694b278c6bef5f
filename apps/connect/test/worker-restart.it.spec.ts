import type { ConnectProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { ConnectRest, waitFor } from './support/connect-rest';
import { PLAIN_CONVERTERS, useConnectWorker } from './support/connect-worker';
import { readAll } from './support/kafka';

/**
 * A restarted worker resumes every connector where it stood: configs, target states
 * (PAUSED stays PAUSED, STOPPED stays STOPPED) and source offsets (no record repeated
 * after a graceful restart, none lost after a crash).
 */
describe('connect worker restart', () => {
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let kafka: Kafka;
  const plain = PLAIN_CONVERTERS;

  useConnectWorker((env) => {
    ({ connect, rest, kafka } = env);
  });

  const positions = async (topic: string): Promise<number[]> =>
    (await readAll(kafka, topic)).map((m) => (JSON.parse(String(m.value)) as { position: number }).position).sort((a, b) => a - b);

  const committedPosition = async (name: string): Promise<number | undefined> => {
    const body = (await rest.get(`/connectors/${name}/offsets`)).body as { offsets: { offset: { position: number } }[] };
    return body.offsets[0]?.offset.position;
  };

  test('configs, target states and offsets survive a graceful restart', async () => {
    const resumeConfig = { 'connector.class': 'FakeSource', topic: 'resume-topic', 'tasks.max': '1', 'fake.max.records': '30', 'fake.records.per.read': '10', 'fake.poll.interval.ms': '20', ...plain };
    expect((await rest.call('POST', '/connectors', { name: 'resume-src', config: resumeConfig })).status).toBe(201);
    expect((await rest.call('POST', '/connectors', { name: 'paused-src', config: { ...resumeConfig, topic: 'paused-topic' } })).status).toBe(201);
    expect((await rest.call('POST', '/connectors', { name: 'stopped-src', config: { ...resumeConfig, topic: 'stopped-topic' } })).status).toBe(201);
    expect((await rest.call('POST', '/connectors', { name: 'initially-paused', config: { ...resumeConfig, topic: 'ip-topic' }, initial_state: 'PAUSED' })).status).toBe(201);
    await waitFor('resume-src committed 30 records', async () => (await committedPosition('resume-src')) === 29);
    await rest.waitForState('paused-src', 'RUNNING', 1);
    await rest.call('PUT', '/connectors/paused-src/pause');
    await rest.waitForState('paused-src', 'PAUSED', 1);
    await rest.call('PUT', '/connectors/stopped-src/stop');
    await rest.waitForState('stopped-src', 'STOPPED', 0);
    await rest.waitForState('initially-paused', 'PAUSED', 1);
    expect(await positions('resume-topic')).toEqual(Array.from({ length: 30 }, (_, i) => i));

    await connect.restart();

    expect((await rest.get('/connectors')).body).toEqual(['initially-paused', 'paused-src', 'resume-src', 'stopped-src']);
    expect((await rest.get('/connectors/resume-src/config')).body).toEqual({ ...resumeConfig, name: 'resume-src' });
    await rest.waitForState('paused-src', 'PAUSED', 1);
    await rest.waitForState('initially-paused', 'PAUSED', 1);
    await rest.waitForState('stopped-src', 'STOPPED', 0);
    await rest.waitForState('resume-src', 'RUNNING', 1);
    // The fake emits 30 records per run from its committed offset: 30..59, nothing repeated.
    await waitFor('resume-src committed 60 records', async () => (await committedPosition('resume-src')) === 59);
    expect(await positions('resume-topic')).toEqual(Array.from({ length: 60 }, (_, i) => i));

    // Paused and stopped connectors resume from where they stood.
    const pausedAt = await committedPosition('paused-src');
    await rest.call('PUT', '/connectors/paused-src/resume');
    await rest.waitForState('paused-src', 'RUNNING', 1);
    await waitFor('paused-src continues', async () => ((await committedPosition('paused-src')) ?? -1) > (pausedAt ?? -1));
    await rest.call('PUT', '/connectors/stopped-src/resume');
    await rest.waitForState('stopped-src', 'RUNNING', 1);
  });

  test('after a crash (SIGKILL) a source resumes from its committed offsets without gaps', async () => {
    const config = { 'connector.class': 'FakeSource', topic: 'crash-topic', 'tasks.max': '1', 'fake.records.per.read': '5', 'fake.poll.interval.ms': '10', ...plain };
    expect((await rest.call('POST', '/connectors', { name: 'crash-src', config })).status).toBe(201);
    await waitFor('crash-src committed some records', async () => ((await committedPosition('crash-src')) ?? -1) >= 50);
    await connect.kill();
    await connect.restart();
    await rest.waitForState('crash-src', 'RUNNING', 1);
    const before = (await committedPosition('crash-src')) ?? 0;
    await waitFor('crash-src continues after the crash', async () => ((await committedPosition('crash-src')) ?? -1) >= before + 50);
    await rest.call('PUT', '/connectors/crash-src/stop');
    await rest.waitForState('crash-src', 'STOPPED', 0);
    const seen = await positions('crash-topic');
    const last = seen[seen.length - 1];
    // At least once: every position up to the last one is there (duplicates allowed).
    expect(new Set(seen).size).toBe(last + 1);
  });
});
