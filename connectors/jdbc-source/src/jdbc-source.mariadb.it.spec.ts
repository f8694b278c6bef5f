import { createConnection, type Connection } from 'mysql2/promise';
import { startMariaDb, type EphemeralMariaDb } from '@millrace/testing';
import { jdbcSourceScenarios, type ScenarioDb } from './test-support/jdbc-source-scenarios';

jest.setTimeout(60_000);

describe('jdbc-source against MariaDB', () => {
  let server: EphemeralMariaDb;
  let conn: Connection;
  let db: ScenarioDb;

  beforeAll(async () => {
    server = await startMariaDb();
    conn = await createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
    await conn.query("SET time_zone = '+00:00'");
    db = {
      url: `jdbc:mariadb://${server.host}:${server.port}/${server.database}?user=${server.user}`,
      schema: server.database,
      exec: async (sql) => {
        await conn.query(sql);
      },
      nowExpr: 'NOW(6)',
      bytes: (hex) => `X'${hex}'`,
      ddl: {
        customers: `CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200) NULL,
          active BOOLEAN NOT NULL DEFAULT TRUE, birthday DATE NULL, updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`,
        orders: `CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL,
          placed_at DATETIME(3) NOT NULL, pickup TIME NULL, note TEXT NULL, payload BLOB NULL, attrs JSON NULL, ratio DOUBLE NULL,
          updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`,
        orderLines: `CREATE TABLE order_lines (id INT AUTO_INCREMENT UNIQUE, order_id BIGINT NOT NULL, line_no SMALLINT NOT NULL,
          qty INT NOT NULL, price DECIMAL(8,3) NOT NULL, updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), PRIMARY KEY (order_id, line_no))`,
        events: (name) => `CREATE TABLE ${name} (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, changed_at DATETIME(6) NOT NULL)`,
        perf: (n) => [
          `CREATE TABLE perf_rows (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL, amount DECIMAL(12,2) NOT NULL,
            created_at DATETIME(6) NOT NULL, flag BOOLEAN NOT NULL)`,
          `INSERT INTO perf_rows (name, amount, created_at, flag) SELECT CONCAT('row ', seq), seq / 100, NOW(6), seq % 2 FROM seq_1_to_${n}`,
        ],
      },
    };
  });

  afterAll(async () => {
    await conn?.end();
    await server?.stop();
  });

  jdbcSourceScenarios(() => db);
});
