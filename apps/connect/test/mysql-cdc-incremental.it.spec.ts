import { waitFor } from './support/connect-rest';
import { waitForEqualDigest, warehouseSinkConfig } from './support/cdc-warehouse';
import { mariaDbCdcConfig, useMySqlCdc } from './support/mysql-cdc-env';
import { fillOrders, orderMutations, ordersDdl, sourceDigest, warehouseDigest } from './support/mysql-cdc-fixture';
import { prng, seedFrom } from './support/seeded-random';

/**
 * Issue 13 on the shared signal machinery: incremental snapshots of the MariaDB source
 * while it streams, Debezium's way. A connector that streams only (snapshot.mode=no_data)
 * fills the warehouse through an incremental snapshot started by an execute-snapshot row
 * in the signal table (`signal.data.collection`), then re-reads the table through
 * `POST /connectors/{c}/snapshots`, then once more through Debezium's Kafka signal channel
 * (`signal.enabled.channels=source,kafka`), while seeded inserts, updates (some of the key) and
 * deletes run throughout. The chunk windows are signal-table rows
 * (snapshot-window-open/close) read back from the binlog; a chunk row the binlog changed
 * inside its window is dropped. Afterwards the warehouse equals the source (count and
 * all-column digest).
 */
const ROWS = 6_000;

describe('mysql-cdc-source incremental snapshots', () => {
  const env = useMySqlCdc();
  const occurrences = (pattern: RegExp): number => (env.connect.logs().match(new RegExp(pattern.source, 'g')) ?? []).length;

  test('signal table, REST call and Kafka signal channel under writes: the warehouse equals the source', async () => {
    const { db, rest, maria, pg, warehouse } = env;
    await db.query(ordersDdl());
    await fillOrders(db, ROWS);
    const admin = env.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'minc-signals', numPartitions: 1 }] });
    await admin.disconnect();
    await db.query('CREATE TABLE debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)');
    const create = async (name: string, config: Record<string, string>): Promise<void> => {
      const res = await rest.call('POST', '/connectors', { name, config });
      if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await create('minc', mariaDbCdcConfig(maria, {
      'topic.prefix': 'minc',
      'database.server.id': '5471',
      'table.include.list': 'shop\\.orders',
      'snapshot.mode': 'no_data',
      'signal.data.collection': 'shop.debezium_signal',
      'incremental.snapshot.chunk.size': '500',
      'signal.enabled.channels': 'source,kafka',
      'signal.kafka.topic': 'minc-signals',
      'signal.kafka.bootstrap.servers': env.broker.bootstrap,
    }));
    await create('minc-warehouse', warehouseSinkConfig(pg, 'minc.shop.orders', 'minc', {}, 'shop'));
    await waitFor('streaming', async () => occurrences(/mysql-cdc: streaming the binlog/) > 0, 60_000);

    const mutate = orderMutations(env.db, prng(seedFrom('MILLRACE_MYSQL_INCREMENTAL_SEED', 'mysql-cdc incremental: writes')), ROWS + 1);
    let running = true;
    let transactions = 0;
    const writes = (async () => {
      while (running) {
        await mutate(3);
        transactions += 3;
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    try {
      await db.query(`INSERT INTO debezium_signal VALUES ('sig-1', 'execute-snapshot', '{"data-collections": ["shop.orders"], "type": "incremental"}')`);
      await waitFor('the first incremental snapshot completes', async () => occurrences(/incremental snapshot of shop\.orders completed/) >= 1, 90_000);
      const res = await rest.call('POST', '/connectors/minc/snapshots', { 'data-collections': ['shop.orders'], type: 'incremental' });
      expect(res.status).toBe(202);
      await waitFor('the second incremental snapshot completes', async () => occurrences(/incremental snapshot of shop\.orders completed/) >= 2, 90_000);
      // Debezium's Kafka signal channel: keyed by topic.prefix; another key is another connector's
      const producer = env.kafka.producer();
      await producer.connect();
      const data = { 'data-collections': ['shop.orders'], type: 'incremental' };
      await producer.send({ topic: 'minc-signals', messages: [{ key: 'other', value: JSON.stringify({ type: 'execute-snapshot', data }) }, { key: 'minc', value: JSON.stringify({ type: 'execute-snapshot', data }) }] });
      await producer.disconnect();
      await waitFor('the Kafka-signalled snapshot completes', async () => occurrences(/incremental snapshot of shop\.orders completed/) >= 3, 90_000);
      expect(occurrences(/Kafka signal kafka-0-\d+ \(execute-snapshot\) delivered/)).toBe(1);
    } finally {
      running = false;
      await writes;
    }
    const source = await sourceDigest(db);
    await waitForEqualDigest('the warehouse equals the source', source, () => warehouseDigest(warehouse).catch(() => null), 90_000, () => env.connect.logs().slice(-6000));
    const dropped = [...env.connect.logs().matchAll(/(\d+) chunk row\(s\) changed in the stream meanwhile/g)].reduce((n, m) => n + Number(m[1]), 0);
    process.stdout.write(`mysql-cdc incremental: ${transactions} writer transactions, ${source.n} rows equal in source and warehouse; ${dropped} chunk rows dropped for newer binlog changes\n`);
    expect((await rest.status('minc')).tasks[0]?.state).toBe('RUNNING');
  }, 240_000);
});
