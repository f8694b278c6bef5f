import { AvroConverter } from '@millrace/connect-sdk';
import { waitFor } from './support/connect-rest';
import { readCommittedUntilIdle } from './support/kafka';
import { mariaDbCdcConfig, useMySqlCdc } from './support/mysql-cdc-env';

jest.setTimeout(90_000);

/**
 * Table-level DDL mid-stream, end to end (ephemeral MariaDB, broker with its registry,
 * connect): with `table.include.list` = shop.ddl_.*,
 * - CREATE TABLE of a matching table: captured from its first insert, its Avro schema
 *   registered under `<topic>-value`, its rows in its own topic;
 * - RENAME TABLE: the rows written under the new name go to the new name's topic (the
 *   renamed table keeps its shape and key);
 * - DROP TABLE, then CREATE TABLE of the same name with another shape: the rows of the
 *   new table decode with the new shape, the task keeps running;
 * - a restart of the task (resuming from its stored binlog position, after all of it)
 *   goes on streaming every table;
 * - the same DDL while the connector is stopped: resumed from before it, the rows written
 *   before a DROP or RENAME still go out under the name they were written to.
 */
describe('mysql-cdc-source: CREATE, RENAME and DROP TABLE mid-stream', () => {
  const env = useMySqlCdc();

  const events = async (topic: string): Promise<{ op: string; after: Record<string, unknown> | null }[]> => {
    const values = new AvroConverter();
    values.configure({ 'schema.registry.url': env.registryUrl }, false);
    const out: { op: string; after: Record<string, unknown> | null }[] = [];
    for (const m of await readCommittedUntilIdle(env.kafka, topic, 1_000, 20_000)) {
      if (m.value !== null) out.push((await values.toConnectData(topic, m.value)).value as { op: string; after: Record<string, unknown> | null });
    }
    return out;
  };
  /** The `after`s of the topic once it has `n` events (ops other than r/c/u included). */
  const afters = (topic: string, n: number): Promise<(Record<string, unknown> | null)[]> =>
    waitFor(`${n} event(s) in ${topic}`, async () => {
      const got = await events(topic).catch(() => []);
      return got.length >= n ? got.map((e) => e.after) : undefined;
    }, 30_000).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}; status ${JSON.stringify(await env.rest.status('ddl-cdc'))}\n--- connect ---\n${env.connect.logs().slice(-4000)}`);
    });
  const subjects = async (): Promise<string[]> => (await (await fetch(`${env.registryUrl}/subjects`)).json()) as string[];

  it('a created table is captured, a renamed one streams under its new name, a dropped and re-created one with its new shape', async () => {
    const { db } = env;
    await db.query('CREATE TABLE ddl_a (id INT PRIMARY KEY, label VARCHAR(20))');
    await db.query(`INSERT INTO ddl_a VALUES (1, 'one')`);
    const res = await env.rest.call('POST', '/connectors', { name: 'ddl-cdc', config: mariaDbCdcConfig(env.maria, { 'topic.prefix': 'mig', 'database.server.id': '5601', 'table.include.list': 'shop\\.ddl_.*' }) });
    expect(res.status).toBe(201);
    expect(await afters('mig.shop.ddl_a', 1)).toEqual([{ id: 1, label: 'one' }]);

    // CREATE TABLE: captured, schema registered, rows flow
    await db.query('CREATE TABLE ddl_b (code VARCHAR(8) PRIMARY KEY, qty INT NOT NULL)');
    await db.query(`INSERT INTO ddl_b VALUES ('k1', 5), ('k2', 7)`);
    await db.query(`UPDATE ddl_b SET qty = 6 WHERE code = 'k1'`);
    expect(await afters('mig.shop.ddl_b', 3)).toEqual([{ code: 'k1', qty: 5 }, { code: 'k2', qty: 7 }, { code: 'k1', qty: 6 }]);
    expect(await subjects()).toEqual(expect.arrayContaining(['mig.shop.ddl_b-value', 'mig.shop.ddl_b-key']));

    // RENAME TABLE: the new name's topic, same shape
    await db.query('RENAME TABLE ddl_a TO ddl_c');
    await db.query(`INSERT INTO ddl_c VALUES (2, 'two')`);
    expect(await afters('mig.shop.ddl_c', 1)).toEqual([{ id: 2, label: 'two' }]);

    // DROP TABLE, then the same name with another shape
    await db.query('DROP TABLE ddl_b');
    await db.query('CREATE TABLE ddl_b (code VARCHAR(8) PRIMARY KEY, note VARCHAR(20), qty BIGINT)');
    await db.query(`INSERT INTO ddl_b VALUES ('k3', 'again', 9)`);
    expect((await afters('mig.shop.ddl_b', 4))[3]).toEqual({ code: 'k3', note: 'again', qty: 9 });
    await db.query(`INSERT INTO ddl_c VALUES (3, 'three')`);
    expect(await afters('mig.shop.ddl_c', 2)).toEqual([{ id: 2, label: 'two' }, { id: 3, label: 'three' }]);

    // a restart resumes after all of it
    expect((await env.rest.call('POST', '/connectors/ddl-cdc/restart?includeTasks=true')).status).toBeLessThan(300);
    await env.rest.waitForState('ddl-cdc', 'RUNNING', 1, 60_000);
    await db.query(`INSERT INTO ddl_b VALUES ('k4', NULL, 10)`);
    await db.query(`INSERT INTO ddl_c VALUES (4, 'four')`);
    expect((await afters('mig.shop.ddl_b', 5))[4]).toEqual({ code: 'k4', note: null, qty: 10 });
    expect(await afters('mig.shop.ddl_c', 3)).toEqual([{ id: 2, label: 'two' }, { id: 3, label: 'three' }, { id: 4, label: 'four' }]);
    expect((await afters('mig.shop.ddl_a', 1)).length).toBe(1);
    expect((await env.rest.status('ddl-cdc')).tasks[0]?.state).toBe('RUNNING');

    // the same DDL while the connector is stopped: resumed from its older offset, the rows
    // written before a RENAME or DROP still reach the old name's topic
    expect((await env.rest.call('PUT', '/connectors/ddl-cdc/stop')).status).toBe(202);
    await waitFor('ddl-cdc stops', async () => (await env.rest.status('ddl-cdc')).connector.state === 'STOPPED', 30_000);
    await db.query(`INSERT INTO ddl_b VALUES ('k5', 'last', 11)`);
    await db.query('DROP TABLE ddl_b');
    await db.query(`INSERT INTO ddl_c VALUES (5, 'five')`);
    await db.query('RENAME TABLE ddl_c TO ddl_d');
    await db.query(`INSERT INTO ddl_d VALUES (6, 'six')`);
    await db.query('CREATE TABLE ddl_e (id INT PRIMARY KEY)');
    await db.query('INSERT INTO ddl_e VALUES (7)');
    expect((await env.rest.call('PUT', '/connectors/ddl-cdc/resume')).status).toBe(202);
    expect(await afters('mig.shop.ddl_e', 1)).toEqual([{ id: 7 }]);
    expect(await afters('mig.shop.ddl_d', 1)).toEqual([{ id: 6, label: 'six' }]);
    expect((await afters('mig.shop.ddl_c', 4))[3]).toEqual({ id: 5, label: 'five' });
    expect((await afters('mig.shop.ddl_b', 6))[5]).toEqual({ code: 'k5', note: 'last', qty: 11 });
  });
});
