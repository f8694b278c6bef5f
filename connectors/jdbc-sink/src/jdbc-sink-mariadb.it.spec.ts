import { createConnection } from 'mysql2/promise';
import { startMariaDb, type EphemeralMariaDb } from '@millrace/testing';
import { describeCdcSinkScenarios } from '../test/cdc-sink-scenarios';
import { describeJdbcSinkScenarios, type ScenarioTarget } from '../test/sink-scenarios';

jest.setTimeout(60_000);

describe('jdbc-sink on MariaDB', () => {
  let db: EphemeralMariaDb;
  let target: ScenarioTarget;

  beforeAll(async () => {
    db = await startMariaDb();
    target = {
      kind: 'mariadb',
      url: `jdbc:mariadb://${db.host}:${db.port}/${db.database}?user=${db.user}`,
      quote: (name) => `\`${name}\``,
      bool: (v) => (v ? '1' : '0'),
      probe: async () => {
        const conn = await createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
        return {
          query: async (sql) => {
            const [rows] = await conn.query(sql);
            // Statements without rows (DDL, DML) answer a result header: no rows.
            if (!Array.isArray(rows)) return [];
            // Every column as text (bytes as \x-hex), matching the PostgreSQL probe.
            return (rows as Record<string, unknown>[]).map((row) =>
              Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : String(v)])),
            );
          },
          close: () => conn.end(),
        };
      },
    };
  });

  describeJdbcSinkScenarios(() => target);
  describeCdcSinkScenarios(() => target);

  // After the scenarios' own afterAll (which closes the probe): same-level hooks run in order.
  afterAll(async () => {
    await db?.stop();
  });
});
