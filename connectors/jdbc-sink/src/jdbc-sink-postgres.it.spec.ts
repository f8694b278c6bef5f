import { Client } from 'pg';
import { RetriableError } from '@millrace/connect-sdk';
import { retryUntil, startPostgres, type EphemeralPostgres } from '@millrace/testing';
import { describeCdcSinkScenarios } from '../test/cdc-sink-scenarios';
import { describeJdbcSinkScenarios, record, type ScenarioTarget } from '../test/sink-scenarios';
import { MIN_ROWS } from './copy-first';
import { JdbcSinkTask } from './jdbc-sink-task';

jest.setTimeout(60_000);

describe('jdbc-sink on PostgreSQL', () => {
  let pg: EphemeralPostgres;
  let target: ScenarioTarget;

  beforeAll(async () => {
    pg = await startPostgres();
    target = {
      kind: 'postgres',
      url: `jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}?user=${pg.user}`,
      quote: (name) => `"${name}"`,
      bool: (v) => (v ? 't' : 'f'),
      probe: async () => {
        // Every column as its text form: the same expectations serve both databases.
        const client = new Client({ connectionString: pg.connectionString, types: { getTypeParser: () => (text: string) => text } });
        client.on('error', () => undefined);
        await client.connect();
        return {
          query: async (sql) => (await client.query<Record<string, string | null>>(sql)).rows,
          close: () => client.end(),
        };
      },
    };
  });

  describeJdbcSinkScenarios(() => target);
  describeCdcSinkScenarios(() => target);

  it('a connection lost mid-transaction surfaces as RetriableError; retrying applies the buffer exactly once', async () => {
    const quiet = () => undefined;
    const task = new JdbcSinkTask();
    await task.open(
      { 'connection.url': target.url, 'auto.create': 'true', 'batch.size': '1000' },
      { connectorName: 'killed', taskId: 0, logger: { info: quiet, warn: quiet, error: quiet, debug: quiet }, pause: quiet, resume: quiet },
    );
    const admin = new Client({ connectionString: pg.connectionString });
    admin.on('error', () => undefined);
    await admin.connect();
    const terminateSink = () => admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'millrace-jdbc-sink'`);
    try {
      await task.write([0, 1, 2].map((i) => record('killed_rows', i, { id: i, name: 'k' })));
      await task.flush();

      // Killed while idle: TypeORM drops the broken connection and the next flush reconnects.
      await task.write([3].map((i) => record('killed_rows', i, { id: i, name: 'k' })));
      await terminateSink();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await task.flush();

      // Killed while the INSERT waits for a lock: the transaction is lost, the error is retriable.
      await task.write([4, 5].map((i) => record('killed_rows', i, { id: i, name: 'k' })));
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE killed_rows IN ACCESS EXCLUSIVE MODE');
      const flushing = task.flush();
      await retryUntil(
        'sink blocked on the lock',
        async () => {
          const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'millrace-jdbc-sink' AND wait_event_type = 'Lock'`);
          if (rows.length === 0) throw new Error('not blocked yet');
        },
        { timeoutMs: 10_000, intervalMs: 20 },
      );
      await terminateSink();
      await expect(flushing).rejects.toBeInstanceOf(RetriableError);
      await admin.query('ROLLBACK');

      // The runtime retries: the same records again (already buffered, not buffered twice), then flush.
      await task.write([4, 5].map((i) => record('killed_rows', i, { id: i, name: 'k' })));
      await task.flush();
      const { rows } = await admin.query<{ id: string }>('SELECT id FROM killed_rows ORDER BY id');
      expect(rows.map((r) => Number(r.id))).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await admin.end();
      await task.teardown();
    }
  });

  it('upserts by plain COPY when no key is in the table yet, and falls back to ON CONFLICT in the same transaction when one is (copy-first.ts)', async () => {
    const quiet = () => undefined;
    const logger = { info: quiet, warn: quiet, error: quiet, debug: quiet };
    const config = { 'connection.url': target.url, 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id', 'batch.size': '10000' };
    // runs of MIN_ROWS rows or more are tried by COPY: ids from `firstId`, names prefixed, offsets counting on
    let offset = 0;
    const rowsOf = (topic: string, firstId: number, prefix: string) => Array.from({ length: MIN_ROWS }, (_, i) => record(topic, offset++, { id: firstId + i, name: `${prefix}${firstId + i}` }));
    const admin = new Client({ connectionString: pg.connectionString });
    await admin.connect();
    const task = new JdbcSinkTask();
    await task.open(config, { connectorName: 'copy-first', taskId: 0, logger, pause: quiet, resume: quiet });
    try {
      // fresh keys (COPY), then keys partly there (unique violation -> ON CONFLICT), then fresh ones again
      await task.write(rowsOf('copy_first', 0, 'a'));
      await task.flush();
      await task.write(rowsOf('copy_first', MIN_ROWS - 1, 'b')); // one key there already
      await task.flush();
      await task.write(rowsOf('copy_first', 2 * MIN_ROWS - 1, 'c'));
      await task.flush();
      // a table with a trigger: always ON CONFLICT (a trigger counts the statements it sees)
      await admin.query('CREATE TABLE trig (id bigint PRIMARY KEY, name text)');
      await admin.query('CREATE TABLE trig_log (op text)');
      await admin.query(`CREATE FUNCTION trig_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO trig_log VALUES (TG_OP); RETURN NULL; END $$`);
      await admin.query('CREATE TRIGGER trig_stmt AFTER INSERT OR UPDATE ON trig FOR EACH STATEMENT EXECUTE FUNCTION trig_log()');
      offset = 0;
      await task.write(rowsOf('trig', 0, 't'));
      await task.flush();
      // a table without a unique index on the key: never COPY (it would add a second id 0); the upsert refuses, as before
      await admin.query('CREATE TABLE nokey (id bigint, name text)');
      await admin.query(`INSERT INTO nokey VALUES (0, 'there')`);
      offset = 0;
      await task.write(rowsOf('nokey', 0, 'n'));
      await expect(task.flush()).rejects.toThrow(/no unique or exclusion constraint/);
      expect((await admin.query('SELECT count(*)::int AS n FROM nokey')).rows[0]).toEqual({ n: 1 });
      // a DEFERRABLE key: never COPY either (its conflict would surface only at commit); ON CONFLICT refuses it, as before
      await admin.query('CREATE TABLE deferred (id bigint, name text, CONSTRAINT deferred_pk PRIMARY KEY (id) DEFERRABLE INITIALLY DEFERRED)');
      offset = 0;
      await task.write(rowsOf('deferred', 0, 'd'));
      await expect(task.flush()).rejects.toThrow(/no unique or exclusion constraint/);
      expect((await admin.query('SELECT count(*)::int AS n FROM deferred')).rows[0]).toEqual({ n: 0 });
    } finally {
      await task.teardown();
    }
    const names = (await admin.query<{ name: string }>('SELECT name FROM copy_first ORDER BY id')).rows.map((r) => r.name);
    const expected = [...rowsOf('copy_first', 0, 'a').slice(0, MIN_ROWS - 1), ...rowsOf('copy_first', MIN_ROWS - 1, 'b'), ...rowsOf('copy_first', 2 * MIN_ROWS - 1, 'c')];
    expect(names).toEqual(expected.map((r) => (r.value as { name: string }).name));
    expect((await admin.query('SELECT count(*)::int AS n FROM trig')).rows[0]).toEqual({ n: MIN_ROWS });
    // INSERT ... ON CONFLICT DO UPDATE fires the statement triggers of INSERT and UPDATE; a COPY would fire INSERT only
    expect((await admin.query('SELECT op FROM trig_log ORDER BY op')).rows.map((r: { op: string }) => r.op)).toEqual(['INSERT', 'UPDATE']);
    // the offsets committed with the rows of every batch, the conflicting one included
    const offsets = await admin.query<{ topic: string; next_offset: string }>(`SELECT topic, next_offset FROM millrace_sink_offsets WHERE connector_name = 'copy-first' ORDER BY topic`);
    expect(offsets.rows.map((r) => `${r.topic}:${r.next_offset}`)).toEqual([`copy_first:${3 * MIN_ROWS}`, `trig:${MIN_ROWS}`]);
    await admin.end();
  });

  // After the scenarios' own afterAll (which closes the probe): same-level hooks run in order.
  afterAll(async () => {
    await pg?.stop();
  });

  it('a batch of many alternating upserts and deletes (a CDC stream) commits: staging tables are reused, not one per run', async () => {
    const quiet = () => undefined;
    const task = new JdbcSinkTask();
    await task.open(
      { 'connection.url': target.url, 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'delete.enabled': 'true', 'batch.size': '100000' },
      { connectorName: 'alternating', taskId: 0, logger: { info: quiet, warn: quiet, error: quiet, debug: quiet }, pause: quiet, resume: quiet },
    );
    try {
      // 2,000 runs of upsert-then-delete in one flush: one temporary staging table per run used to take
      // Postgres' shared lock table ("out of shared memory" at commit; found by the CDC acceptance test)
      const records = [];
      for (let i = 0; i < 2000; i++) {
        // as a CDC stream through ExtractNewRecordState: the row, its delete (a tombstone), the row again
        records.push(record('alternating_rows', 3 * i, { id: i, name: 'first' }));
        records.push(record('alternating_rows', 3 * i + 1, null, { key: { id: i } }));
        records.push(record('alternating_rows', 3 * i + 2, { id: i, name: 'kept' }));
      }
      await task.write(records);
      await task.flush();
      const admin = new Client({ connectionString: pg.connectionString });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ n: string }>('SELECT count(*)::text AS n FROM alternating_rows');
        expect(Number(rows[0].n)).toBe(2000);
      } finally {
        await admin.end();
      }
    } finally {
      await task.teardown();
    }
  });
});
