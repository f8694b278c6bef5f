import type { BrokerProcess, ConnectProcess, EphemeralPostgres } from '@millrace/testing';
import { AvroConverter } from '@millrace/connect-sdk';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Client } from 'pg';
import { digestOf, waitForEqualDigest, warehouseColumnsDigest, warehouseSinkConfig, type Digest } from './support/cdc-warehouse';
import { waitFor, type ConnectRest } from './support/connect-rest';
import { readCommittedUntilIdle } from './support/kafka';
import { mariaDbCdcConfig, useMySqlCdc } from './support/mysql-cdc-env';

/**
 * The MySQL/MariaDB CDC source across restarts: schema history, GTID resume, TRUNCATE.
 *
 * 1. Connector stopped; rows changed, ALTER TABLE ADD / DROP / MODIFY (int -> bigint,
 *    varchar(10) -> (50)) with rows changed between each; connector resumed from its
 *    older offset: every event has the shape its row was written with (Avro schema
 *    versions 1 -> 4), the warehouse equals the source. Then the offset is moved back
 *    before all of it: the replay decodes every event with the same schema as the first
 *    time. With the schema history offsets deleted, a restart from before the DDL FAILS
 *    saying why; from after it, the live schema is provably right and it runs.
 * 2. GTIDs: the binlog file of the stored position rotated and purged while the
 *    connector is stopped, the transactions after its GTID still in later files: resumed
 *    by GTID, nothing lost; then the transactions after it purged: FAILED explaining the
 *    purge; snapshot.mode=when_needed takes a new snapshot.
 * 3. TRUNCATE: a `t` event with skipped.operations=none; none by default (Debezium's t).
 */
describe('mysql-cdc-source: schema history, GTID resume, truncate', () => {
  const env = useMySqlCdc();
  let broker: BrokerProcess;
  let pg: EphemeralPostgres;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let db: Connection;
  let warehouse: Client;
  let kafka: Kafka;

  beforeAll(() => {
    ({ broker, pg, connect, rest, db, warehouse, kafka } = env);
  });

  const registryUrl = (): string => `http://${broker.host}:${broker.httpPort}`;
  const json = { 'key.converter': 'json', 'key.converter.schemas.enable': 'false', 'value.converter': 'json', 'value.converter.schemas.enable': 'false' };
  let serverId = 7000;
  const cdcConfig = (extra: Record<string, string>): Record<string, string> => mariaDbCdcConfig(env.maria, { 'database.server.id': String(++serverId), ...extra });

  async function create(name: string, config: Record<string, string>): Promise<void> {
    const res = await rest.call('POST', '/connectors', { name, config });
    if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async function waitRunning(name: string): Promise<void> {
    await waitFor(`${name} runs`, async () => {
      const s = await rest.status(name);
      if (s.connector.state === 'FAILED' || s.tasks[0]?.state === 'FAILED') throw new Error(`${name} failed: ${s.connector.trace ?? s.tasks[0]?.trace}`);
      return s.tasks[0]?.state === 'RUNNING';
    }, 60_000);
  }

  async function failedTrace(name: string): Promise<string> {
    return waitFor(`${name} fails`, async () => {
      const s = await rest.status(name);
      return [s.connector, ...s.tasks].find((x) => x.state === 'FAILED')?.trace;
    }, 60_000);
  }

  async function stop(name: string): Promise<void> {
    expect((await rest.call('PUT', `/connectors/${name}/stop`)).status).toBe(202);
    await waitFor(`${name} stops`, async () => (await rest.status(name)).connector.state === 'STOPPED', 30_000);
  }

  async function resume(name: string): Promise<void> {
    expect((await rest.call('PUT', `/connectors/${name}/resume`)).status).toBe(202);
  }

  type Offset = { partition: Record<string, unknown>; offset: Record<string, unknown> };
  const offsets = async (name: string): Promise<Offset[]> => ((await rest.call('GET', `/connectors/${name}/offsets`)).body as { offsets: Offset[] }).offsets;
  const streamOffset = async (name: string): Promise<Record<string, unknown>> => (await offsets(name)).find((o) => o.partition['schema_history'] === undefined)?.offset ?? {};

  async function patchOffsets(name: string, entries: { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[]): Promise<void> {
    const res = await rest.call('PATCH', `/connectors/${name}/offsets`, { offsets: entries });
    expect(res.status).toBe(200);
  }

  const sourceDigest = async (table: string, columns: readonly string[]): Promise<Digest> => {
    const [rows] = await db.query<RowDataPacket[]>(`SELECT CONCAT_WS('|', ${columns.map((c) => `IFNULL(${c}, 'N')`).join(', ')}) AS line FROM ${table} ORDER BY id`);
    return digestOf(rows.map((r) => String(r.line)));
  };

  async function waitEqual(what: string, table: string, columns: readonly string[]): Promise<void> {
    await waitForEqualDigest(what, await sourceDigest(table, columns), () => warehouseColumnsDigest(warehouse, table, columns), 90_000, () => `--- connect ---\n${connect.logs().slice(-6000)}`);
  }

  const schemaVersions = async (subject: string): Promise<number[]> => (await (await fetch(`${registryUrl()}/subjects/${subject}/versions`)).json()) as number[];
  const schemaId = (m: KafkaMessage): number => (m.value as Buffer).readInt32BE(1);

  test('DDL while the connector is stopped, resumed from the older offset, then replayed from before it: every row with its own shape', async () => {
    const columnsNow = ['id', 'label', 'qty', 'extra'];
    await db.query('CREATE TABLE evo (id INT PRIMARY KEY, label VARCHAR(10), qty INT, note VARCHAR(20))');
    await db.query(`INSERT INTO evo SELECT seq, CONCAT('l', seq), seq, 'initial' FROM seq_1_to_200`);
    await create('cdc-evo', cdcConfig({ 'topic.prefix': 'evo', 'table.include.list': 'shop\\.evo' }));
    await create('warehouse-evo', warehouseSinkConfig(pg, 'evo.shop.evo', 'evo', { 'auto.evolve': 'true' }, 'shop'));
    await waitRunning('cdc-evo');
    await waitEqual('the snapshot in the warehouse', 'evo', ['id', 'label', 'qty', 'note']);
    await db.query(`UPDATE evo SET note = 'streamed' WHERE id = 1`);
    await waitEqual('a streamed update in the warehouse', 'evo', ['id', 'label', 'qty', 'note']);
    const older = await streamOffset('cdc-evo');
    expect(older).toMatchObject({ file: expect.stringMatching(/^mysql-bin\./), gtids: expect.stringMatching(/^0-1-\d+$/) });

    await stop('cdc-evo');
    await db.query(`UPDATE evo SET qty = qty + 1, note = 'dml1' WHERE id <= 10`);
    await db.query(`INSERT INTO evo VALUES (201, 'l201', 201, 'dml1')`);
    // no default: existing rows are not rewritten in the binlog, so the warehouse would keep NULL
    await db.query(`ALTER TABLE evo ADD COLUMN extra VARCHAR(10)`);
    await db.query(`UPDATE evo SET extra = 'dml2', note = 'dml2' WHERE id BETWEEN 11 AND 20`);
    await db.query(`ALTER TABLE evo DROP COLUMN note`);
    await db.query(`UPDATE evo SET extra = 'dml3' WHERE id BETWEEN 21 AND 30`);
    await db.query(`DELETE FROM evo WHERE id = 200`);
    await db.query(`ALTER TABLE evo MODIFY qty BIGINT`);
    await db.query(`UPDATE evo SET extra = 'dml4', qty = qty * 1000 WHERE id BETWEEN 31 AND 40`);
    await db.query(`ALTER TABLE evo MODIFY label VARCHAR(50)`);
    await db.query(`INSERT INTO evo VALUES (202, 'a label longer than ten', 5, 'dml5')`);
    await resume('cdc-evo');
    await waitRunning('cdc-evo');
    await waitEqual('the warehouse equals the source after the DDL', 'evo', columnsNow);

    // each event has its own shape: note until it is dropped, extra once added, qty int32 until MODIFY
    const values = new AvroConverter();
    values.configure({ 'schema.registry.url': registryUrl() }, false);
    const firstPass = (await readCommittedUntilIdle(kafka, 'evo.shop.evo', 1_500)).filter((m) => m.value !== null);
    type Event = { op: string; after: Record<string, unknown> | null; source: { file: string; pos: number; row: number } };
    const shapes = new Map<string, string>();
    for (const m of firstPass) {
      const data = await values.toConnectData('evo.shop.evo', m.value as Buffer);
      const e = data.value as Event;
      const after = (data.schema?.fields ?? []).find((f) => f.name === 'after')?.schema.fields ?? [];
      const tag = e.after ? String(e.after['note'] ?? e.after['extra'] ?? '') : '';
      const shape = after.map((f) => (f.name === 'qty' ? `qty:${f.schema.type}` : f.name)).join(',');
      if (e.op !== 'r') shapes.set(tag, shape);
    }
    expect(Object.fromEntries(shapes)).toMatchObject({
      streamed: 'id,label,qty:int32,note',
      dml1: 'id,label,qty:int32,note',
      dml2: 'id,label,qty:int32,note,extra',
      dml3: 'id,label,qty:int32,extra',
      dml4: 'id,label,qty:int64,extra',
      dml5: 'id,label,qty:int64,extra',
    });
    expect(await schemaVersions('evo.shop.evo-value')).toEqual([1, 2, 3, 4]);
    const history = (await readCommittedUntilIdle(kafka, 'schema-changes.evo', 1_000)).map((m) => String(m.value));
    expect(history.length).toBeGreaterThanOrEqual(4);

    // moved back before every DDL: the replay decodes each event with the schema it had the first time
    const idOf = new Map<string, number>();
    const keyOf = async (m: KafkaMessage): Promise<string> => {
      const e = (await values.toConnectData('evo.shop.evo', m.value as Buffer)).value as Event;
      return `${e.op}:${e.source.file}:${e.source.pos}:${e.source.row}`;
    };
    for (const m of firstPass) if (!(await keyOf(m)).startsWith('r:')) idOf.set(await keyOf(m), schemaId(m));
    const beforeReplay = firstPass.length;
    await stop('cdc-evo');
    const latest = await streamOffset('cdc-evo');
    await patchOffsets('cdc-evo', [{ partition: { server: 'evo' }, offset: older }]);
    await resume('cdc-evo');
    await waitRunning('cdc-evo');
    const replayed = await waitFor('the changes replayed', async () => {
      const all = (await readCommittedUntilIdle(kafka, 'evo.shop.evo', 1_500)).filter((m) => m.value !== null);
      return all.length >= beforeReplay + idOf.size - 1 ? all.slice(beforeReplay) : undefined;
    }, 60_000);
    let same = 0;
    for (const m of replayed) {
      const key = await keyOf(m);
      if (idOf.has(key)) {
        expect(`${key} schema ${schemaId(m)}`).toBe(`${key} schema ${idOf.get(key)}`);
        same++;
      }
    }
    process.stdout.write(`mysql-cdc history: ${idOf.size} change events first, ${replayed.length} replayed from the older offset, ${same} with the same schema id\n`);
    expect(same).toBeGreaterThanOrEqual(idOf.size - 1);
    expect(await schemaVersions('evo.shop.evo-value')).toEqual([1, 2, 3, 4]);
    await waitEqual('the warehouse still equals the source after the replay', 'evo', columnsNow);

    // the history offsets deleted: from before the DDL the shapes are unknown -> FAILED, never a guess
    await stop('cdc-evo');
    const historyPartitions = (await offsets('cdc-evo')).filter((o) => o.partition['schema_history'] !== undefined);
    expect(historyPartitions.map((o) => o.partition['schema_history'])).toEqual(['shop.evo']);
    await patchOffsets('cdc-evo', [{ partition: { server: 'evo', schema_history: 'shop.evo' }, offset: null }, { partition: { server: 'evo' }, offset: older }]);
    await resume('cdc-evo');
    expect(await failedTrace('cdc-evo')).toMatch(/schema history of shop\.evo has no table shape at the stored position mysql-bin\.\d+:\d+ and the binlog has DDL on it since .*ALTER TABLE evo ADD COLUMN extra VARCHAR\(10\)/);
    // from after the DDL the live schema provably holds: rebuilt, and it streams on
    await stop('cdc-evo');
    await patchOffsets('cdc-evo', [{ partition: { server: 'evo' }, offset: latest }]);
    await resume('cdc-evo');
    await waitRunning('cdc-evo');
    await db.query(`UPDATE evo SET extra = 'rebuilt' WHERE id = 1`);
    await waitEqual('streams on with a rebuilt history', 'evo', columnsNow);
    expect((await offsets('cdc-evo')).some((o) => o.partition['schema_history'] === 'shop.evo')).toBe(true);
    expect(await schemaVersions('evo.shop.evo-value')).toEqual([1, 2, 3, 4]);
    for (const name of ['cdc-evo', 'warehouse-evo']) expect((await rest.call('DELETE', `/connectors/${name}`)).status).toBe(204);
  }, 240_000);

  const ops = async (topic: string): Promise<{ op: string; id: number | null }[]> =>
    (await readCommittedUntilIdle(kafka, topic, 1_500)).filter((m) => m.value !== null).map((m) => {
      const v = JSON.parse(String(m.value)) as { op: string; after: { id: number } | null; before: { id: number } | null };
      return { op: v.op, id: (v.after ?? v.before)?.id ?? null };
    });

  /** PURGE BINARY LOGS TO `file`, repeated until done (MariaDB keeps files until its binlog checkpoint passes them). */
  async function purgeTo(file: string): Promise<void> {
    await waitFor(`binlogs purged up to ${file}`, async () => {
      await db.query(`PURGE BINARY LOGS TO '${file}'`);
      const [logs] = await db.query<RowDataPacket[]>('SHOW BINARY LOGS');
      return String(logs[0].Log_name) === file;
    }, 30_000);
  }

  test('GTIDs: the stored file rotated and purged while stopped -> resumed by GTID, nothing lost; the transactions after it purged -> FAILED, when_needed -> new snapshot', async () => {
    // a running binlog reader keeps the server from purging the files it reads
    for (const name of (await rest.call('GET', '/connectors')).body as string[]) await rest.call('DELETE', `/connectors/${name}`);
    await db.query('CREATE TABLE gt (id INT PRIMARY KEY, label VARCHAR(20))');
    await db.query(`INSERT INTO gt SELECT seq, 'initial' FROM seq_1_to_100`);
    await create('cdc-gt', cdcConfig({ 'topic.prefix': 'gt', 'table.include.list': 'shop\\.gt', ...json }));
    await waitRunning('cdc-gt');
    await db.query(`INSERT INTO gt VALUES (101, 'streamed')`);
    await waitFor('snapshot and insert in the topic', async () => (await ops('gt.shop.gt')).length === 101, 60_000);
    await stop('cdc-gt');
    const stored = await streamOffset('cdc-gt');
    expect(stored['gtids']).toMatch(/^0-1-\d+$/);

    await db.query('FLUSH BINARY LOGS');
    for (let id = 102; id <= 111; id++) await db.query(`INSERT INTO gt VALUES (?, 'while stopped')`, [id]);
    const [status] = await db.query<RowDataPacket[]>('SHOW MASTER STATUS');
    await db.query('FLUSH BINARY LOGS');
    await purgeTo(String(status[0].File));
    const [logs] = await db.query<RowDataPacket[]>('SHOW BINARY LOGS');
    expect(logs.map((r) => String(r.Log_name))).not.toContain(stored['file']);
    await resume('cdc-gt');
    await waitRunning('cdc-gt');
    const resumed = await waitFor('the ten inserts made while stopped', async () => {
      const seen = await ops('gt.shop.gt');
      return seen.length >= 111 ? seen : undefined;
    }, 60_000);
    expect(resumed.slice(101).map((e) => `${e.op}${e.id}`)).toEqual(Array.from({ length: 10 }, (_, i) => `c${102 + i}`));
    expect(connect.logs()).toMatch(/streaming the binlog from after GTID position 0-1-\d+ \(stored mysql-bin\.\d+:\d+\)/);

    // now the transactions after the stored GTID are purged
    await stop('cdc-gt');
    for (let id = 112; id <= 115; id++) await db.query(`INSERT INTO gt VALUES (?, 'lost')`, [id]);
    await db.query('FLUSH BINARY LOGS');
    const [now] = await db.query<RowDataPacket[]>('SHOW MASTER STATUS');
    await purgeTo(String(now[0].File));
    await resume('cdc-gt');
    expect(await failedTrace('cdc-gt')).toMatch(/binlog after the stored GTID position 0-1-\d+ \(file mysql-bin\.\d+\) was purged .*oldest binlog file left, mysql-bin\.\d+, starts after GTIDs 0-1-\d+.*snapshot\.mode=when_needed/);
    const updated = await rest.call('PUT', '/connectors/cdc-gt/config', cdcConfig({ 'topic.prefix': 'gt', 'table.include.list': 'shop\\.gt', 'snapshot.mode': 'when_needed', ...json }));
    expect([200, 201]).toContain(updated.status);
    await rest.call('POST', '/connectors/cdc-gt/restart?includeTasks=true');
    await waitRunning('cdc-gt');
    const snapshot = await waitFor('a new snapshot with the lost rows', async () => {
      const reads = (await ops('gt.shop.gt')).filter((e) => e.op === 'r');
      return reads.length >= 215 ? reads : undefined;
    }, 60_000);
    expect(new Set(snapshot.slice(100).map((e) => e.id))).toEqual(new Set(Array.from({ length: 115 }, (_, i) => i + 1)));
    expect((await rest.call('DELETE', '/connectors/cdc-gt')).status).toBe(204);
  }, 180_000);

  test('TRUNCATE: a t event with skipped.operations=none, none by default', async () => {
    await db.query('CREATE TABLE tr (id INT PRIMARY KEY, label VARCHAR(20))');
    await db.query(`INSERT INTO tr VALUES (1, 'a'), (2, 'b')`);
    await create('cdc-tr', cdcConfig({ 'topic.prefix': 'tr', 'table.include.list': 'shop\\.tr', 'snapshot.mode': 'no_data', 'skipped.operations': 'none', ...json }));
    await create('cdc-tr-default', cdcConfig({ 'topic.prefix': 'trd', 'table.include.list': 'shop\\.tr', 'snapshot.mode': 'no_data', ...json }));
    await waitRunning('cdc-tr');
    await waitRunning('cdc-tr-default');
    await db.query('TRUNCATE TABLE tr');
    await db.query(`INSERT INTO tr VALUES (3, 'after')`);
    const seen = await waitFor('truncate and insert', async () => {
      const o = await ops('tr.shop.tr');
      return o.length >= 2 ? o : undefined;
    }, 60_000);
    expect(seen).toEqual([{ op: 't', id: null }, { op: 'c', id: 3 }]);
    const t = (await readCommittedUntilIdle(kafka, 'tr.shop.tr', 1_000))[0];
    expect(t.key).toBeNull();
    expect(JSON.parse(String(t.value))).toMatchObject({ op: 't', before: null, after: null, source: { db: 'shop', table: 'tr', snapshot: 'false' } });
    await waitFor('the default skips it', async () => (await ops('trd.shop.tr')).length >= 1, 60_000);
    expect(await ops('trd.shop.tr')).toEqual([{ op: 'c', id: 3 }]);
  }, 120_000);
});
