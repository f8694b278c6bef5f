import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import { Client } from 'pg';
import { ConnectRest, waitFor } from './support/connect-rest';

/**
 * The product path through the worker: Postgres table -> jdbc-source -> Kafka (Avro
 * against the broker's registry, the worker default) -> jdbc-sink -> Postgres table,
 * configured over REST, surviving a worker restart.
 */
describe('jdbc-source to jdbc-sink through the connect worker', () => {
  let broker: BrokerProcess;
  let connect: ConnectProcess;
  let pg: EphemeralPostgres;
  let db: Client;
  let rest: ConnectRest;

  beforeAll(async () => {
    [broker, pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } }), startPostgres()]);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://127.0.0.1:${broker.httpPort}` });
    rest = new ConnectRest(connect.url);
    db = new Client({ connectionString: pg.connectionString });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await connect?.stop();
    await Promise.all([broker?.stop(), pg?.stop()]);
  });

  const copied = async (): Promise<{ id: number; item: string; qty: number }[]> => {
    const exists = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'orders_copy'`);
    if (exists.rowCount === 0) return [];
    return (await db.query<{ id: number; item: string; qty: number }>('SELECT id, item, qty FROM orders_copy ORDER BY id')).rows;
  };

  test('rows are copied, and copying resumes after a worker restart', async () => {
    await db.query('CREATE TABLE orders (id SERIAL PRIMARY KEY, item TEXT NOT NULL, qty INT NOT NULL)');
    for (let i = 1; i <= 5; i++) await db.query('INSERT INTO orders (item, qty) VALUES ($1, $2)', [`item-${i}`, i]);
    const url = `jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}?user=${pg.user}`;
    const source = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      'connection.url': url,
      mode: 'incrementing',
      'incrementing.column.name': 'id',
      'table.whitelist': 'orders',
      'topic.prefix': 'pg-',
      'poll.interval.ms': '200',
    };
    const sink = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': url,
      topics: 'pg-orders',
      'table.name.format': 'orders_copy',
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
    };
    const created = await rest.call('POST', '/connectors', { name: 'pg-source', config: source });
    expect(created.status).toBe(201);
    expect((await rest.call('POST', '/connectors', { name: 'pg-sink', config: sink })).status).toBe(201);
    await rest.waitForState('pg-source', 'RUNNING', 1);
    await rest.waitForState('pg-sink', 'RUNNING', 1);
    await waitFor('5 rows copied', async () => (await copied()).length === 5, 60_000);
    expect((await copied())[4]).toEqual({ id: 5, item: 'item-5', qty: 5 });

    await connect.restart();
    for (let i = 6; i <= 8; i++) await db.query('INSERT INTO orders (item, qty) VALUES ($1, $2)', [`item-${i}`, i]);
    await waitFor('8 rows copied after the restart', async () => (await copied()).length === 8, 60_000);
    const offsets = (await rest.get('/connectors/pg-source/offsets')).body as { offsets: { offset: Record<string, unknown> }[] };
    expect(offsets.offsets).toHaveLength(1);
    expect((await rest.status('pg-source')).tasks[0].state).toBe('RUNNING');
    expect((await rest.status('pg-sink')).tasks[0].state).toBe('RUNNING');
  });
});
