import { waitFor } from './support/connect-rest';
import { jsonEnvelope } from './support/kafka';
import { tableCounts, usePostgresConnect } from './support/postgres-connect';
import { prng, seedFrom } from './support/seeded-random';

/**
 * The exactly-once acceptance of the jdbc-sink through the worker: a topic holds N
 * distinct records (half of them produced before the sink starts, half before the last
 * kill), a keyless insert-mode jdbc-sink writes them while the worker is
 * SIGKILLed at random moments (at least 10 times) and restarted each time, and the table
 * ends with exactly N rows: no duplicate, nothing missing. The sink keeps its offsets in
 * millrace_sink_offsets in the same transaction as the rows, so re-deliveries after a
 * crash are dropped. Set MILLRACE_EOS_SEED to replay a run's kill schedule (the random
 * delays; where they land still depends on timing).
 */
const N = 50_000;
const PARTITIONS = 3;
const TOPIC = 'eos-records';
const TABLE = 'eos_rows';
const CONNECTOR = 'eos-sink';
const KILLS = 10;
/**
 * Kills (by index) that first wait until the sink is writing again, so that they land in
 * the middle of its transactions. Between them, kills follow each other quickly: each
 * restarted worker's sink consumer joins the group `connect-eos-sink`, which waits for
 * the killed members (a stable one until its 30 s session expires, one killed while
 * joining until the rebalance timeout, 60 s), so waiting for writes after every kill
 * would take minutes. The quick kills exercise the worker's own crash recovery (config,
 * state, group membership) at random points of its startup and rebalance.
 */
const KILLS_WHILE_WRITING = new Set([0, KILLS - 1]);

const VALUE_SCHEMA = {
  type: 'struct',
  name: 'millrace.eos.Row',
  optional: false,
  fields: [
    { field: 'id', type: 'int64', optional: false },
    { field: 'payload', type: 'string', optional: false },
  ],
};

describe('exactly-once jdbc-sink under repeated worker crashes', () => {
  const env = usePostgresConnect({ connectLater: true });
  const counts = () => tableCounts(env.db, TABLE, 'id');

  test(`a keyless insert sink writes exactly N rows across ${KILLS} kill -9 restarts`, async () => {
    const random = prng(seedFrom('MILLRACE_EOS_SEED', 'exactly-once-sink: kill schedule'));
    const { kafka, db } = env;

    // N distinct records on 3 partitions: the first half produced before the sink starts,
    // the second half just before the last kill-while-writing. A sink may write the whole
    // first half before the first kill lands (with 16 MiB fetches one fetch holds it all),
    // and would then have nothing left to be "writing again" for before the last kill.
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    const produce = async (from: number, to: number): Promise<void> => {
      const chunk = 1_000;
      for (let start = from; start < to; start += chunk) {
        const messages = Array.from({ length: Math.min(chunk, to - start) }, (_, i) => {
          const id = start + i;
          return { partition: id % PARTITIONS, key: null, value: jsonEnvelope(VALUE_SCHEMA, { id, payload: `record-${id}-${'x'.repeat(id % 17)}` }) };
        });
        await producer.send({ topic: TOPIC, messages });
      }
    };
    const HALF = N / 2;
    await produce(0, HALF);

    const rest = await env.startConnect();
    const config = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': env.jdbcUrl,
      topics: TOPIC,
      'table.name.format': TABLE,
      'auto.create': 'true',
      'insert.mode': 'insert',
      'pk.mode': 'none',
      'batch.size': '500',
      'tasks.max': '1',
      'key.converter': 'string',
      'value.converter': 'json',
      'value.converter.schemas.enable': 'true',
    };
    expect((await rest.call('POST', '/connectors', { name: CONNECTOR, config })).status).toBe(201);
    await rest.waitForState(CONNECTOR, 'RUNNING', 1);

    const progress: number[] = [];
    const timeline: string[] = [];
    const t0 = Date.now();
    for (let i = 0; i < KILLS; i++) {
      if (KILLS_WHILE_WRITING.has(i)) {
        if (i === KILLS - 1) await produce(HALF, N);
        const before = progress[progress.length - 1] ?? 0;
        await waitFor(`the sink writing again before kill ${i + 1}`, async () => (await counts()).rows > before, 120_000);
      }
      // A kill while writing comes soon after the writes resumed: the sink may catch up
      // on everything within a second.
      const delay = KILLS_WHILE_WRITING.has(i) ? Math.floor(random() * 400) : 200 + Math.floor(random() * 1300);
      await new Promise((r) => setTimeout(r, delay));
      await env.connect.kill();
      progress.push((await counts()).rows);
      timeline.push(`${progress[i]}@${((Date.now() - t0) / 1000).toFixed(1)}s`);
      await env.connect.restart();
      // The config comes back from connect-configs and the connector runs again.
      await rest.waitForState(CONNECTOR, 'RUNNING', 1, 60_000);
    }
    console.log(`exactly-once-sink: rows in the table at each kill: ${timeline.join(', ')}`);
    await producer.disconnect();
    const ends = await admin.fetchTopicOffsets(TOPIC);
    await admin.disconnect();
    expect(ends.reduce((n, p) => n + Number(p.high), 0)).toBe(N);

    let last = -1;
    let stalledSince = Date.now();
    await waitFor(
      `${N} rows in ${TABLE}`,
      async () => {
        const { rows } = await counts();
        if (rows !== last) {
          last = rows;
          stalledSince = Date.now();
        }
        // Done when complete, or when it stopped growing for long (the asserts then tell).
        return rows >= N || Date.now() - stalledSince > 75_000;
      },
      120_000,
    );

    expect(await counts()).toEqual({ rows: N, distinct: N });
    const ids = await db.query<{ min: string; max: string }>(`SELECT min(id) AS min, max(id) AS max FROM ${TABLE}`);
    expect({ min: Number(ids.rows[0].min), max: Number(ids.rows[0].max) }).toEqual({ min: 0, max: N - 1 });

    const stored = await db.query<{ kafka_partition: number; next_offset: string }>(
      'SELECT kafka_partition, next_offset FROM millrace_sink_offsets WHERE connector_name = $1 AND topic = $2 ORDER BY kafka_partition',
      [CONNECTOR, TOPIC],
    );
    expect(stored.rows.map((r) => ({ partition: r.kafka_partition, next: Number(r.next_offset) }))).toEqual(
      [...ends].sort((a, b) => a.partition - b.partition).map((p) => ({ partition: p.partition, next: Number(p.high) })),
    );
    expect((await rest.status(CONNECTOR)).tasks[0].state).toBe('RUNNING');
  }, 300_000);
});
