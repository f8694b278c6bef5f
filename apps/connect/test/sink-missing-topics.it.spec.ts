import { waitFor, type ConnectorStatus } from './support/connect-rest';
import { jsonEnvelope } from './support/kafka';
import { tableCounts, usePostgresConnect } from './support/postgres-connect';

/**
 * A sink whose topics do not all exist consumes the ones that do, reports the missing
 * ones in its task status (`trace` of the RUNNING task) and picks each up once it is
 * created: with `topics` (a listed topic created later) and with `topics.regex` (matching
 * nothing at first, then topics created one after the other). Tables are counted in
 * Postgres (jdbc-sink, insert mode, no key): every record once.
 */
const VALUE_SCHEMA = {
  type: 'struct',
  name: 'millrace.missing.Row',
  optional: false,
  fields: [
    { field: 'id', type: 'int64', optional: false },
    { field: 'origin', type: 'string', optional: false },
  ],
};

describe('sinks and missing topics', () => {
  const env = usePostgresConnect();

  const sinkConfig = (topics: Record<string, string>, extra: Record<string, string> = {}) => ({
    'connector.class': 'jdbc-sink',
    'connection.url': env.jdbcUrl,
    ...topics,
    'auto.create': 'true',
    'insert.mode': 'insert',
    'pk.mode': 'none',
    'tasks.max': '1',
    'key.converter': 'string',
    'value.converter': 'json',
    'value.converter.schemas.enable': 'true',
    'consumer.override.metadata.max.age.ms': '1000',
    ...extra,
  });

  const produce = async (topic: string, from: number, count: number): Promise<void> => {
    const producer = env.kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: count }, (_, i) => ({ key: null, value: jsonEnvelope(VALUE_SCHEMA, { id: from + i, origin: topic }) }));
    await producer.send({ topic, messages });
    await producer.disconnect();
  };

  const createTopic = async (topic: string, partitions = 1): Promise<void> => {
    const admin = env.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
  };

  const counts = (table: string) => tableCounts(env.db, table, '(origin, id)');

  const waitForRows = (table: string, rows: number, timeoutMs = 30_000) => waitFor(`${rows} rows in ${table}`, async () => (await counts(table)).rows >= rows, timeoutMs);

  const taskStatus = async (name: string): Promise<ConnectorStatus['tasks'][number]> => {
    const s = await env.rest.status(name);
    expect(s.connector.state).toBe('RUNNING');
    expect(s.tasks).toHaveLength(1);
    return s.tasks[0];
  };

  test('topics=present,absent: present flows, the status names absent until it is created, then its rows arrive too', async () => {
    await createTopic('present', 2);
    await produce('present', 0, 20);
    const logStart = env.connect.logs().length;
    expect((await env.rest.call('POST', '/connectors', { name: 'partly-missing', config: sinkConfig({ topics: 'present,absent' }) })).status).toBe(201);

    await waitForRows('present', 20);
    const running = await taskStatus('partly-missing');
    expect(running.state).toBe('RUNNING');
    expect(running.trace).toBe('Missing topics: absent (not found in the cluster; consuming present; each missing topic is picked up once it exists)');
    // Waiting for a topic is quiet: no client error about it every second.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(env.connect.logs().slice(logStart)).not.toMatch(/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition/);
    expect((await taskStatus('partly-missing')).trace).toContain('Missing topics: absent');

    await createTopic('absent');
    await produce('absent', 0, 15);
    await waitForRows('absent', 15);
    await waitFor('the missing-topics trace cleared', async () => (await taskStatus('partly-missing')).trace === undefined);
    expect((await taskStatus('partly-missing')).state).toBe('RUNNING');

    // Both topics keep flowing after the consumer was replaced, and nothing was written twice.
    await produce('present', 20, 5);
    await produce('absent', 15, 5);
    await waitForRows('present', 25);
    await waitForRows('absent', 20);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await counts('present')).toEqual({ rows: 25, distinct: 25 });
    expect(await counts('absent')).toEqual({ rows: 20, distinct: 20 });
  }, 90_000);

  test('topics.regex matching nothing says so, then picks up each matching topic as it is created', async () => {
    const config = sinkConfig(
      { 'topics.regex': 'rx\\..*' },
      {
        transforms: 'route',
        'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
        'transforms.route.regex': 'rx\\.(.*)',
        'transforms.route.replacement': 'rx_$1',
      },
    );
    expect((await env.rest.call('POST', '/connectors', { name: 'by-regex', config })).status).toBe(201);
    await waitFor('the no-match trace', async () => (await taskStatus('by-regex')).trace === 'No topic matches topics.regex=rx\\..* yet; matching topics are picked up once they exist');
    expect((await taskStatus('by-regex')).state).toBe('RUNNING');

    await createTopic('rx.one');
    await produce('rx.one', 0, 10);
    await waitForRows('rx_one', 10);
    await waitFor('the no-match trace cleared', async () => (await taskStatus('by-regex')).trace === undefined);

    await createTopic('rx.two');
    await produce('rx.two', 0, 7);
    await produce('rx.one', 10, 3);
    await waitForRows('rx_two', 7);
    await waitForRows('rx_one', 13);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await counts('rx_one')).toEqual({ rows: 13, distinct: 13 });
    expect(await counts('rx_two')).toEqual({ rows: 7, distinct: 7 });
    const stored = await env.db.query<{ topic: string; next: string }>(
      `SELECT topic, sum(next_offset) AS next FROM millrace_sink_offsets WHERE connector_name = 'by-regex' GROUP BY topic ORDER BY topic`,
    );
    expect(stored.rows.map((r) => [r.topic, Number(r.next)])).toEqual([
      ['rx.one', 13],
      ['rx.two', 7],
    ]);
  }, 90_000);
});
