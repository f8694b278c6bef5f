import * as fs from 'node:fs';
import { Client } from 'pg';
import { canConnect } from './free-port';
import { startPostgres, type EphemeralPostgres } from './ephemeral-postgres';
import { isProcessAlive } from './process-alive';

jest.setTimeout(60_000);

describe('startPostgres', () => {
  let pg: EphemeralPostgres | undefined;

  afterEach(async () => {
    await pg?.stop();
    pg = undefined;
  });

  it('starts a private server with logical decoding enabled and a "test" database', async () => {
    pg = await startPostgres();
    expect(pg.port).not.toBe(5432);
    expect(pg.database).toBe('test');
    const client = new Client({ connectionString: pg.connectionString });
    await client.connect();
    try {
      expect((await client.query('SELECT current_database() AS db')).rows[0].db).toBe('test');
      expect((await client.query('SHOW wal_level')).rows[0].wal_level).toBe('logical');
      expect(Number((await client.query('SHOW max_replication_slots')).rows[0].max_replication_slots)).toBeGreaterThanOrEqual(10);
      expect(Number((await client.query('SHOW max_wal_senders')).rows[0].max_wal_senders)).toBeGreaterThanOrEqual(10);
      await client.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
      await client.query(`SELECT pg_create_logical_replication_slot('s1', 'test_decoding')`);
      await client.query(`SELECT pg_create_logical_replication_slot('s2', 'pgoutput')`);
      await client.query(`INSERT INTO t VALUES (1, 'hello')`);
      const changes = await client.query(`SELECT data FROM pg_logical_slot_get_changes('s1', NULL, NULL)`);
      expect(changes.rows.map((r: { data: string }) => r.data).join('\n')).toContain(`table public.t: INSERT: id[integer]:1 v[text]:'hello'`);
    } finally {
      await client.end();
    }
  });

  it('stop() ends the server and removes its data directory', async () => {
    const server = await startPostgres();
    const root = server.dataDir.replace(/\/data$/, '');
    await server.stop();
    expect(await canConnect(server.host, server.port)).toBe(false);
    expect(fs.existsSync(root)).toBe(false);
    await server.stop(); // idempotent
  });

  it('kill() really ends the postmaster and frees the port', async () => {
    pg = await startPostgres();
    const pid = pg.pid as number;
    await pg.kill();
    expect(isProcessAlive(pid)).toBe(false);
    expect(await canConnect(pg.host, pg.port)).toBe(false);
  });
});

