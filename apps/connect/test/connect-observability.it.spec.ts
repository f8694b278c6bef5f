import type { ConnectProcess } from '@millrace/testing';
import { ConnectRest, waitFor } from './support/connect-rest';
import { PLAIN_CONVERTERS, useConnectWorker } from './support/connect-worker';

/** One sample of a Prometheus text answer: `name{labels} value`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/**
 * Limits, metrics, health, active topics, loggers and start-up lines of the connect
 * worker (issue 8), against a real broker and worker with the fake test plugins.
 */
describe('connect limits and observability', () => {
  let rest: ConnectRest;
  let connect: ConnectProcess;
  const source = (topic: string, extra: Record<string, string> = {}) => ({ 'connector.class': 'FakeSource', topic, 'tasks.max': '1', 'fake.poll.interval.ms': '50', ...PLAIN_CONVERTERS, ...extra });
  const sink = (topics: string, extra: Record<string, string> = {}) => ({ 'connector.class': 'FakeSink', topics, 'tasks.max': '1', ...PLAIN_CONVERTERS, ...extra });
  const metrics = async () => {
    const r = await fetch(`${connect.url}/metrics`);
    expect(r.status).toBe(200);
    return r.text();
  };

  useConnectWorker(
    (env) => {
      ({ rest, connect } = env);
    },
    { withRegistry: true },
  );

  test('a normal start prints a few readable lines, Nest route mapping only at debug', async () => {
    const lines = connect.logs().split('\n').filter((l) => l.startsWith('{'));
    const info = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 30);
    const started = info.findIndex((l) => l.msg.startsWith('connect worker listening on http://'));
    expect(started).toBeGreaterThanOrEqual(0);
    expect(info[started].msg).toContain('0 connector(s) resumed');
    // Before it: the three storage topics created (first start only) and read.
    const before = info.slice(0, started).map((l) => l.msg);
    expect(before.length).toBeLessThanOrEqual(6);
    for (const m of before) expect(['created topic', 'topic loaded']).toContain(m);
    expect(info.some((l) => l.msg.includes('Mapped {'))).toBe(false);
  });

  test('a 5 MB config answers 413 and a config over the config limit 400, both naming the limit', async () => {
    const huge = source('limits', { 'fake.padding': 'x'.repeat(5 * 1024 * 1024) });
    const post = await rest.call('POST', '/connectors', { name: 'huge', config: huge });
    expect(post.status).toBe(413);
    expect((post.body as { message: string }).message).toContain('the limit is 1048576 bytes');
    expect((await rest.call('PUT', '/connectors/huge/config', huge)).status).toBe(413);

    const large = source('limits', { 'fake.padding': 'x'.repeat(200 * 1024) });
    for (const [method, p, body] of [
      ['POST', '/connectors', { name: 'large', config: large }],
      ['PUT', '/connectors/large/config', large],
      ['PUT', '/connector-plugins/FakeSource/config/validate', large],
    ] as const) {
      const r = await rest.call(method, p, body);
      expect(r.status).toBe(400);
      expect((r.body as { message: string }).message).toContain('the limit is 131072 bytes');
    }
    expect((await rest.get('/connectors')).body).toEqual([]);
  });

  test('/metrics exposes per-task series that move during a sync; /health answers', async () => {
    expect((await rest.call('POST', '/connectors', { name: 'm-src', config: source('metrics-topic') })).status).toBe(201);
    expect((await rest.call('POST', '/connectors', { name: 'm-sink', config: sink('metrics-topic') })).status).toBe(201);
    // Values written as JSON cannot be read as Avro: every record fails conversion, is skipped and goes to the DLQ.
    const dlqSink = sink('metrics-topic', {
      'value.converter': 'avro',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'metrics-dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
    });
    expect((await rest.call('POST', '/connectors', { name: 'm-dlq', config: dlqSink })).status).toBe(201);
    for (const c of ['m-src', 'm-sink', 'm-dlq']) await rest.waitForState(c, 'RUNNING', 1);

    const task = (connector: string) => ({ connector, task: '0' });
    const first = await waitFor('series of every task', async () => {
      const text = await metrics();
      const ok =
        (sample(text, 'millrace_connect_records_polled_total', task('m-src')) ?? 0) > 0 &&
        (sample(text, 'millrace_connect_records_written_total', task('m-sink')) ?? 0) > 0 &&
        // the sink counts a batch written before its offsets are committed (the commit overlaps the next fetch)
        (sample(text, 'millrace_connect_offset_commit_duration_seconds_count', task('m-sink')) ?? 0) > 0 &&
        (sample(text, 'millrace_connect_dead_letter_records_total', task('m-dlq')) ?? 0) > 0;
      return ok ? text : undefined;
    });
    expect(sample(first, 'millrace_connect_records_written_total', task('m-src'))).toBeGreaterThan(0);
    expect(sample(first, 'millrace_connect_records_failed_total', task('m-dlq'))).toBeGreaterThan(0);
    expect(sample(first, 'millrace_connect_batch_size_count', task('m-src'))).toBeGreaterThan(0);
    expect(sample(first, 'millrace_connect_batch_duration_seconds_count', task('m-sink'))).toBeGreaterThan(0);
    expect(sample(first, 'millrace_connect_offset_commit_duration_seconds_count', task('m-src'))).toBeGreaterThan(0);
    expect(sample(first, 'millrace_connect_offset_commit_duration_seconds_count', task('m-sink'))).toBeGreaterThan(0);
    expect(sample(first, 'millrace_connect_sink_consumer_lag', { ...task('m-sink'), topic: 'metrics-topic', partition: '0' })).toBeGreaterThanOrEqual(0);
    expect(sample(first, 'millrace_connect_task_state', { ...task('m-src'), state: 'RUNNING' })).toBe(1);
    expect(sample(first, 'millrace_connect_task_state', { ...task('m-src'), state: 'FAILED' })).toBe(0);
    expect(first).toContain('# TYPE millrace_connect_source_lag gauge');

    const polled = (text: string, c: string) => sample(text, 'millrace_connect_records_polled_total', task(c)) ?? 0;
    await waitFor('counters moving', async () => {
      const text = await metrics();
      return polled(text, 'm-src') > polled(first, 'm-src') && polled(text, 'm-sink') > polled(first, 'm-sink');
    });

    await rest.call('PUT', '/connectors/m-src/pause');
    await waitFor('PAUSED state series', async () => sample(await metrics(), 'millrace_connect_task_state', { ...task('m-src'), state: 'PAUSED' }) === 1);

    const health = await fetch(`${connect.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'UP', tasks: { PAUSED: 1, RUNNING: 2 } });

    await rest.call('DELETE', '/connectors/m-dlq');
    expect(sample(await metrics(), 'millrace_connect_records_polled_total', task('m-dlq'))).toBeUndefined();
  });

  test('active topics in Kafka Connect shape; reset empties them', async () => {
    expect(await rest.get('/connectors/m-src/topics')).toEqual({ status: 200, body: { 'm-src': { topics: ['metrics-topic'] } } });
    expect(await rest.get('/connectors/m-sink/topics')).toEqual({ status: 200, body: { 'm-sink': { topics: ['metrics-topic'] } } });
    expect((await rest.call('PUT', '/connectors/m-src/topics/reset')).status).toBe(202);
    expect((await rest.get('/connectors/m-src/topics')).body).toEqual({ 'm-src': { topics: [] } });
    expect((await rest.get('/connectors/nope/topics')).status).toBe(404);
    expect((await rest.call('PUT', '/connectors/nope/topics/reset')).status).toBe(404);
  });

  test('/admin/loggers lists, reads and sets levels by component', async () => {
    const all = await rest.get('/admin/loggers');
    expect(all.status).toBe(200);
    const loggers = all.body as Record<string, { level: string; last_modified: number | null }>;
    expect(loggers.root).toEqual({ level: 'INFO', last_modified: null });
    expect(loggers.worker).toEqual({ level: 'INFO', last_modified: null });
    expect(loggers.herder?.level).toBe('INFO');

    const debugLines = () => connect.logs().split('\n').filter((l) => l.includes('"level":20') && l.includes('"component":"worker"')).length;
    const before = debugLines();
    expect(before).toBe(0);
    const put = await rest.call('PUT', '/admin/loggers/worker', { level: 'debug' });
    expect(put).toEqual({ status: 200, body: ['worker'] });
    const one = (await rest.get('/admin/loggers/worker')).body as { level: string; last_modified: number };
    expect(one.level).toBe('DEBUG');
    expect(one.last_modified).toBeGreaterThan(Date.now() - 60_000);
    // A sink on a topic that does not exist logs "waiting for the sink topics" at debug through its task logger (component worker).
    await rest.call('POST', '/connectors', { name: 'l-sink', config: sink('no-such-topic-yet') });
    await waitFor('worker debug lines', async () => debugLines() > before);
    expect(connect.logs().split('\n').some((l) => l.includes('"level":20') && l.includes('"component":"herder"'))).toBe(false);

    const root = await rest.call('PUT', '/admin/loggers/root', { level: 'INFO' });
    expect(root.status).toBe(200);
    expect(root.body).toEqual(expect.arrayContaining(['root', 'worker', 'herder']));
    expect(((await rest.get('/admin/loggers/worker')).body as { level: string }).level).toBe('INFO');

    expect((await rest.call('PUT', '/admin/loggers/worker', { level: 'LOUD' })).status).toBe(400);
    expect((await rest.call('PUT', '/admin/loggers/worker', {})).status).toBe(400);
    expect((await rest.call('PUT', '/admin/loggers/worker?scope=cluster', { level: 'INFO' })).status).toBe(400);
    expect((await rest.get('/admin/loggers/no-such-logger')).status).toBe(404);
  });
});
