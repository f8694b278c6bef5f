import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, readCommittedUntilIdle, topicEndOffset } from './support/kafka';
import { prng, seedFrom } from './support/seeded-random';

const ROWS = 200_000;
const KILLS = 5;

/**
 * Exactly-once source (KIP-618): a jdbc-source with `exactly.once.support=required`
 * copies 200k Postgres rows while its connect worker is killed -9 five times at seeded
 * moments (MILLRACE_EOS_SEED repeats a run). Records and source offsets commit in one
 * transaction, so after every restart the task resumes exactly where the last committed
 * transaction ended: the topic read `read_committed` holds every row exactly once, even
 * though the log also holds the aborted records of the transactions the kills cut.
 */
describe('exactly-once jdbc-source under kill -9', () => {
  let broker: BrokerProcess;
  let pg: EphemeralPostgres;
  let connect: ConnectProcess;
  let db: Client;
  let kafka: Kafka;

  beforeAll(async () => {
    [broker, pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPostgres()]);
    connect = await startConnect({ bootstrap: broker.bootstrap, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' } });
    kafka = makeKafka(broker.bootstrap);
    db = new Client({ connectionString: pg.connectionString });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await connect?.stop();
    await Promise.all([broker?.stop(), pg?.stop()]);
  });

  test(`${ROWS} rows, ${KILLS} kills: every row in the topic exactly once (read_committed)`, async () => {
    const random = prng(seedFrom('MILLRACE_EOS_SEED', 'exactly-once-source: kill moments'));
    const killAt = Array.from({ length: KILLS }, () => Math.floor(ROWS * (0.05 + 0.85 * random()))).sort((a, b) => a - b);
    process.stdout.write(`exactly-once-source: killing connect at topic end offsets ${killAt.join(', ')}\n`);

    await db.query('CREATE TABLE orders (id BIGINT PRIMARY KEY, note TEXT NOT NULL)');
    await db.query(`INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, ${ROWS}) g`);
    const rest = new ConnectRest(connect.url);
    const config = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      'connection.url': `jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}?user=${pg.user}`,
      mode: 'incrementing',
      'incrementing.column.name': 'id',
      'table.whitelist': 'orders',
      'topic.prefix': 'eos-',
      'batch.max.rows': '2000',
      'poll.interval.ms': '100',
      'exactly.once.support': 'required',
      'key.converter': 'json',
      'key.converter.schemas.enable': 'false',
      'value.converter': 'json',
      'value.converter.schemas.enable': 'false',
    };
    expect((await rest.call('POST', '/connectors', { name: 'eos-orders', config })).status).toBe(201);
    const running = () =>
      waitFor('the source task runs', async () => {
        const s = await rest.status('eos-orders');
        if (s.tasks[0]?.state === 'FAILED') throw new Error(`the source task failed: ${s.tasks[0].trace}`);
        return s.tasks[0]?.state === 'RUNNING';
      }, 60_000);
    await running();
    for (const at of killAt) {
      await waitFor(`${at} in the topic`, async () => (await topicEndOffset(kafka, 'eos-orders')) >= at, 120_000);
      await connect.kill();
      await connect.restart();
      await running();
    }

    const source = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM orders');
    expect(source.rows[0].n).toBe(String(ROWS));
    // the copy ends when the topic stops growing; then one read_committed pass counts it
    let previous = -1;
    await waitFor('the copy settled', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const end = await topicEndOffset(kafka, 'eos-orders');
      const settled = end === previous && end >= ROWS;
      previous = end;
      return settled;
    }, 180_000);
    const ids = (await readCommittedUntilIdle(kafka, 'eos-orders')).map((m) => (JSON.parse(String(m.value)) as { id: number }).id);
    const end = await topicEndOffset(kafka, 'eos-orders');
    process.stdout.write(`exactly-once-source: ${ids.length} committed records, log end offset ${end} (aborted records and markers included)\n`);
    expect(new Set(ids).size).toBe(ROWS);
    expect(ids).toHaveLength(ROWS);
  }, 600_000);
});
