import { createConnection, type Connection } from 'mysql2/promise';
import type { Struct } from '@millrace/connect-sdk';
import { describeSourceConnectorAcceptance } from '@millrace/connect-sdk/testing';
import { startMariaDb, type EphemeralMariaDb } from '@millrace/testing';
import { jdbcSourcePlugin } from './jdbc-source.plugin';

jest.setTimeout(60_000);

let server: EphemeralMariaDb | undefined;
let conn: Connection | undefined;

beforeAll(async () => {
  server = await startMariaDb();
  conn = await createConnection({ host: server.host, port: server.port, user: server.user, database: server.database });
});

afterAll(async () => {
  await conn?.end();
  await server?.stop();
});

describeSourceConnectorAcceptance('jdbc-source (MariaDB, timestamp+incrementing)', () => {
  const s = server as EphemeralMariaDb;
  const c = conn as Connection;
  let next = 0;
  return {
    plugin: jdbcSourcePlugin,
    config: {
      'connector.class': 'jdbc-source',
      'connection.url': `jdbc:mariadb://${s.host}:${s.port}/${s.database}`,
      'connection.user': s.user,
      mode: 'timestamp+incrementing',
      'incrementing.column.name': 'id',
      'timestamp.column.name': 'updated_at',
      'table.whitelist': 'acceptance_rows',
      'topic.prefix': 'acc-',
      'poll.interval.ms': '100',
      'batch.max.rows': '4',
    },
    async prepare() {
      await c.query('DROP TABLE IF EXISTS acceptance_rows');
      await c.query('CREATE TABLE acceptance_rows (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(20) NOT NULL, updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6))');
    },
    async insertRows(n: number) {
      const labels = Array.from({ length: n }, () => `row-${++next}`);
      await c.query(`INSERT INTO acceptance_rows (label) VALUES ${labels.map(() => '(?)').join(', ')}`, labels);
      return labels;
    },
    recordId: (record) => String((record.value as Struct)['label']),
  };
});
