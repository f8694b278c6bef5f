import { Client } from 'pg';
import { startPostgres, type EphemeralPostgres } from '@millrace/testing';
import { jdbcSourceScenarios, type ScenarioDb } from './test-support/jdbc-source-scenarios';

jest.setTimeout(60_000);

describe('jdbc-source against Postgres', () => {
  let server: EphemeralPostgres;
  let client: Client;
  let db: ScenarioDb;

  beforeAll(async () => {
    server = await startPostgres();
    client = new Client({ host: server.host, port: server.port, user: server.user, database: server.database, options: '-c TimeZone=UTC' });
    await client.connect();
    db = {
      url: `jdbc:postgresql://${server.host}:${server.port}/${server.database}?user=${server.user}`,
      schema: 'public',
      exec: async (sql) => {
        await client.query(sql);
      },
      nowExpr: 'clock_timestamp()',
      bytes: (hex) => `'\\x${hex}'::bytea`,
      ddl: {
        customers: `CREATE TABLE customers (id SERIAL PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200),
          active BOOLEAN NOT NULL DEFAULT TRUE, birthday DATE, updated_at TIMESTAMP(6) NOT NULL DEFAULT clock_timestamp())`,
        orders: `CREATE TABLE orders (id BIGSERIAL PRIMARY KEY, customer_id INT NOT NULL, total NUMERIC(10,2) NOT NULL,
          placed_at TIMESTAMPTZ(3) NOT NULL, pickup TIME, note TEXT, payload BYTEA, attrs JSONB, ratio DOUBLE PRECISION,
          updated_at TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp())`,
        orderLines: `CREATE TABLE order_lines (id SERIAL UNIQUE, order_id BIGINT NOT NULL, line_no SMALLINT NOT NULL,
          qty INT NOT NULL, price NUMERIC(8,3) NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (order_id, line_no))`,
        events: (name) => `CREATE TABLE ${name} (id SERIAL PRIMARY KEY, v INT NOT NULL, changed_at TIMESTAMP(6) NOT NULL)`,
        perf: (n) => [
          `CREATE TABLE perf_rows (id BIGSERIAL PRIMARY KEY, name VARCHAR(50) NOT NULL, amount NUMERIC(12,2) NOT NULL,
            created_at TIMESTAMP(6) NOT NULL, flag BOOLEAN NOT NULL)`,
          `INSERT INTO perf_rows (name, amount, created_at, flag) SELECT 'row ' || g, g / 100.0, clock_timestamp(), g % 2 = 0 FROM generate_series(1, ${n}) g`,
        ],
      },
    };
  });

  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  jdbcSourceScenarios(() => db);
});
