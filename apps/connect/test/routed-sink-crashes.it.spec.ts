import type { Producer } from 'kafkajs';
import { waitFor } from './support/connect-rest';
import { jsonEnvelope } from './support/kafka';
import { tableCounts, usePostgresConnect } from './support/postgres-connect';
import { prng, seedFrom } from './support/seeded-random';

/**
 * Exactly once per consumed topic-partition: two topics (3 and 2 partitions, so their
 * offsets overlap) are routed by a RegexRouter into one table by a keyless insert-mode
 * jdbc-sink, while records keep arriving on both and the worker is SIGKILLed three times
 * at seeded random moments while the sink writes. The table ends with exactly the
 * records of both topics, none twice, and millrace_sink_offsets holds one row per
 * consumed topic-partition. (Before the sink keyed its offsets by the consumed
 * topic-partition, both topics shared the routed name's offset floor and rows were
 * silently skipped.) MILLRACE_ROUTED_SEED replays a kill schedule.
 *
 * The sink consumer's session is 6 s (consumer.override.*), so a restarted worker's task
 * is assigned its partitions once the killed member's session expired, not after 30 s.
 */
const TOPICS = [
  { topic: 'erp.customers', partitions: 3 },
  { topic: 'erp2.customers', partitions: 2 },
] as const;
const TABLE = 'customers_all';
const CONNECTOR = 'routed-sink';
const KILLS = 3;
/** Records produced per topic per tick, and the tick. */
const PER_TICK = 60;
const TICK_MS = 50;

const VALUE_SCHEMA = {
  type: 'struct',
  name: 'millrace.routed.Customer',
  optional: false,
  fields: [
    { field: 'id', type: 'int64', optional: false },
    { field: 'origin', type: 'string', optional: false },
    { field: 'name', type: 'string', optional: false },
  ],
};

/** Produces PER_TICK records on each topic every TICK_MS until stopped; counts what was acknowledged. */
class SteadyProducer {
  readonly produced = new Map<string, number>(TOPICS.map((t) => [t.topic, 0]));
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(private readonly producer: Producer) {}

  start(): void {
    this.loop = (async () => {
      while (this.running) {
        const started = Date.now();
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: TOPICS.map(({ topic }) => {
            const from = this.produced.get(topic) ?? 0;
            const messages = Array.from({ length: PER_TICK }, (_, i) => ({
              key: null,
              value: jsonEnvelope(VALUE_SCHEMA, { id: from + i, origin: topic, name: `${topic}-${from + i}` }),
            }));
            return { topic, messages };
          }),
        });
        for (const { topic } of TOPICS) this.produced.set(topic, (this.produced.get(topic) ?? 0) + PER_TICK);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, TICK_MS - (Date.now() - started))));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  total(): number {
    return [...this.produced.values()].reduce((a, b) => a + b, 0);
  }
}

describe('a RegexRouter merging two topics into one table, exactly once across kill -9', () => {
  const env = usePostgresConnect({ connectLater: true });
  const rowCount = async (): Promise<number> => (await tableCounts(env.db, TABLE, 'id')).rows;

  test(`both topics' records land exactly once across ${KILLS} kill -9 restarts`, async () => {
    const random = prng(seedFrom('MILLRACE_ROUTED_SEED', 'routed-sink-crashes: kill schedule'));
    const { kafka, db } = env;

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: TOPICS.map(({ topic, partitions }) => ({ topic, numPartitions: partitions, replicationFactor: 1 })), waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    const steady = new SteadyProducer(producer);
    steady.start();

    const rest = await env.startConnect();
    const config = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': env.jdbcUrl,
      topics: TOPICS.map((t) => t.topic).join(','),
      transforms: 'route',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': 'erp[0-9]*\\.(.*)',
      'transforms.route.replacement': '$1_all',
      'auto.create': 'true',
      'insert.mode': 'insert',
      'pk.mode': 'none',
      'batch.size': '200',
      'tasks.max': '1',
      'key.converter': 'string',
      'value.converter': 'json',
      'value.converter.schemas.enable': 'true',
      'consumer.override.session.timeout.ms': '6000',
      'consumer.override.heartbeat.interval.ms': '1000',
      'consumer.override.max.poll.interval.ms': '10000',
    };
    expect((await rest.call('POST', '/connectors', { name: CONNECTOR, config })).status).toBe(201);
    await rest.waitForState(CONNECTOR, 'RUNNING', 1);

    const timeline: string[] = [];
    const t0 = Date.now();
    for (let i = 0; i < KILLS; i++) {
      const before = await rowCount();
      await waitFor(`the sink writing again before kill ${i + 1}`, async () => (await rowCount()) > before, 60_000);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 1500)));
      await env.connect.kill();
      timeline.push(`${await rowCount()} rows @${((Date.now() - t0) / 1000).toFixed(1)}s`);
      await env.connect.restart();
      await rest.waitForState(CONNECTOR, 'RUNNING', 1, 60_000);
    }
    await steady.stop();
    await producer.disconnect();
    console.log(`routed-sink-crashes: at each kill: ${timeline.join(', ')}; produced ${JSON.stringify(Object.fromEntries(steady.produced))}`);

    const ends = new Map<string, number>();
    for (const { topic } of TOPICS) ends.set(topic, (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0));
    await admin.disconnect();
    expect(Object.fromEntries(ends)).toEqual(Object.fromEntries(steady.produced));

    const total = steady.total();
    // Done when complete, or when the table stopped growing for 30 s (the asserts then say what is missing;
    // a restarted sink task loads its thread and rejoins its group first, which takes seconds on a loaded machine).
    let last = -1;
    let stalledSince = Date.now();
    await waitFor(
      `${total} rows in ${TABLE}`,
      async () => {
        const rows = await rowCount();
        if (rows !== last) [last, stalledSince] = [rows, Date.now()];
        return rows >= total || Date.now() - stalledSince > 30_000;
      },
      120_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));

    const byOrigin = await db.query<{ origin: string; rows: string; distinct: string; max: string }>(
      `SELECT origin, count(*) AS rows, count(DISTINCT id) AS distinct, max(id) AS max FROM ${TABLE} GROUP BY origin ORDER BY origin`,
    );
    expect(byOrigin.rows.map((r) => ({ origin: r.origin, rows: Number(r.rows), distinct: Number(r.distinct), max: Number(r.max) }))).toEqual(
      TOPICS.map(({ topic }) => {
        const n = steady.produced.get(topic) ?? 0;
        return { origin: topic, rows: n, distinct: n, max: n - 1 };
      }),
    );

    const stored = await db.query<{ topic: string; partitions: string; next: string; version: number }>(
      `SELECT topic, count(*) AS partitions, sum(next_offset) AS next, min(key_version) AS version FROM millrace_sink_offsets WHERE connector_name = $1 GROUP BY topic ORDER BY topic`,
      [CONNECTOR],
    );
    expect(stored.rows.map((r) => ({ topic: r.topic, partitions: Number(r.partitions), next: Number(r.next), version: Number(r.version) }))).toEqual(
      TOPICS.map(({ topic, partitions }) => ({ topic, partitions, next: ends.get(topic), version: 2 })),
    );
    expect((await rest.status(CONNECTOR)).tasks[0].state).toBe('RUNNING');
  }, 240_000);
});
