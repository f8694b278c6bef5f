import { startMariaDb, startPostgres, type EphemeralMariaDb, type EphemeralPostgres } from '@millrace/testing';
import { runWriterScenario } from '../test/writer-scenario';
import { MysqlRollupConnection } from './dialect/mysql-rollup';
import { PostgresRollupConnection } from './dialect/postgres-rollup';
import type { RollupConnection } from './dialect/rollup-dialect';

/** The writer scenario (test/writer-scenario.ts) on a real PostgreSQL and a real MariaDB. */
describe('rollup writer on PostgreSQL and MariaDB', () => {
  let pg: EphemeralPostgres;
  let maria: EphemeralMariaDb;
  const open: RollupConnection[] = [];

  beforeAll(async () => {
    [pg, maria] = await Promise.all([startPostgres(), startMariaDb()]);
  }, 120_000);

  afterAll(async () => {
    for (const c of open) await c.close();
    await Promise.all([pg?.stop(), maria?.stop()]);
  });

  test('PostgreSQL: random changes in random batches equal the aggregate of the rows left', async () => {
    const conn = await PostgresRollupConnection.open({ host: pg.host, port: pg.port, database: pg.database, user: pg.user });
    open.push(conn);
    const r = await runWriterScenario(conn, 'sales', 15, (e) => `${e}::text`);
    expect(r.actual).toEqual(r.expected);
    expect(r.stateLeft).toBe(0);
  }, 60_000);

  test('MariaDB: random changes in random batches equal the aggregate of the rows left', async () => {
    const conn = await MysqlRollupConnection.open({ host: maria.host, port: maria.port, database: maria.database, user: maria.user, password: maria.password }, 6);
    open.push(conn);
    const r = await runWriterScenario(conn, 'sales', 16, (e) => `CAST(${e} AS CHAR)`);
    expect(r.actual).toEqual(r.expected);
    expect(r.stateLeft).toBe(0);
  }, 60_000);
});
