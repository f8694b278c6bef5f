import { startBroker, startConnect, startMariaDb, type BrokerProcess, type ConnectProcess, type EphemeralMariaDb } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, readAll, readCommittedUntilIdle } from './support/kafka';

/**
 * The MySQL/MariaDB CDC source refuses what it cannot capture, each time with a FAILED
 * status whose trace says what to change: the binary log off, binlog_format=STATEMENT,
 * binlog_row_image=MINIMAL, binlog_row_metadata not FULL, a user without REPLICATION
 * privileges, the binlog file of the stored position purged; invalid keys fail validation.
 * snapshot.mode never / initial_only behave as Debezium's; when_needed takes a new
 * snapshot after a purge; heartbeats move the stored position past writes to tables that
 * are not captured; ADD/DROP COLUMN mid-stream: each row with its table's shape.
 */
/** How long the heartbeat test keeps the database idle: issue 13's 60 s. */
const IDLE_MS = 60_000;

describe('mysql-cdc-source preflight, snapshot modes, heartbeats', () => {
  let broker: BrokerProcess;
  let maria: EphemeralMariaDb;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let db: Connection;
  let kafka: Kafka;

  beforeAll(async () => {
    [broker, maria] = await Promise.all([
      startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }),
      startMariaDb({ database: 'shop', extraArgs: ['--binlog-row-metadata=FULL'] }),
    ]);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}`, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' } });
    rest = new ConnectRest(connect.url);
    kafka = makeKafka(broker.bootstrap);
    db = await createConnection({ host: maria.host, port: maria.port, user: maria.user, database: 'shop' });
    await db.query('CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(20))');
    await db.query(`INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')`);
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await connect?.stop();
    await Promise.all([broker?.stop(), maria?.stop()]);
  });

  let serverId = 6000;
  const config = (extra: Record<string, string>): Record<string, string> => ({
    'connector.class': 'io.debezium.connector.mysql.MySqlConnector',
    'database.hostname': maria.host,
    'database.port': String(maria.port),
    'database.user': maria.user,
    'database.server.id': String(++serverId),
    'database.include.list': 'shop',
    'exactly.once.support': 'required',
    'key.converter': 'json',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'json',
    'value.converter.schemas.enable': 'false',
    ...extra,
  });

  async function create(name: string, cfg: Record<string, string>): Promise<void> {
    const res = await rest.call('POST', '/connectors', { name, config: cfg });
    if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async function failedWith(name: string, cfg: Record<string, string>, pattern: RegExp): Promise<string> {
    await create(name, cfg);
    const trace = await waitFor(`${name} fails`, async () => {
      const s = await rest.status(name);
      return [s.connector, ...s.tasks].find((x) => x.state === 'FAILED')?.trace;
    }, 60_000);
    expect(trace).toMatch(pattern);
    expect((await rest.call('DELETE', `/connectors/${name}`)).status).toBe(204);
    return trace;
  }

  async function withGlobal(variable: string, value: string, work: () => Promise<unknown>): Promise<void> {
    const [rows] = await db.query<RowDataPacket[]>(`SELECT @@GLOBAL.${variable} AS v`);
    await db.query(`SET GLOBAL ${variable} = ?`, [value]);
    try {
      await work();
    } finally {
      await db.query(`SET GLOBAL ${variable} = ?`, [String(rows[0].v)]);
    }
  }

  const ops = async (topic: string): Promise<string[]> => (await readCommittedUntilIdle(kafka, topic, 1_500)).filter((m) => m.value !== null).map((m) => (JSON.parse(String(m.value)) as { op: string }).op);

  test('binlog settings: log_bin off, STATEMENT format, MINIMAL row image, row metadata not FULL -> FAILED with the setting to change', async () => {
    const noBinlog = await startMariaDb({ database: 'shop', extraArgs: ['--skip-log-bin'] });
    try {
      await failedWith('no-binlog', config({ 'database.port': String(noBinlog.port), 'topic.prefix': 'b0' }), /binary log is off .*log_bin=OFF.*Start the server with log_bin/);
    } finally {
      await noBinlog.stop();
    }
    await withGlobal('binlog_format', 'STATEMENT', () => failedWith('statement', config({ 'topic.prefix': 'b1' }), /binlog_format is STATEMENT.*SET GLOBAL binlog_format = 'ROW'/));
    await withGlobal('binlog_row_image', 'MINIMAL', () => failedWith('minimal', config({ 'topic.prefix': 'b2' }), /binlog_row_image is MINIMAL.*cannot be told from NULL.*SET GLOBAL binlog_row_image = 'FULL'/));
    await withGlobal('binlog_row_metadata', 'MINIMAL', () => failedWith('metadata', config({ 'topic.prefix': 'b3' }), /binlog_row_metadata is MINIMAL.*SET GLOBAL binlog_row_metadata = 'FULL'/));
  }, 120_000);

  test('a user without REPLICATION privileges, and one without RELOAD for the snapshot lock -> FAILED with the GRANT to run', async () => {
    await db.query(`CREATE USER 'reader'@'%'`);
    await db.query(`GRANT SELECT ON shop.* TO 'reader'@'%'`);
    await failedWith('no-repl', config({ 'database.user': 'reader', 'topic.prefix': 'p1' }), /user reader@% lacks REPLICATION SLAVE, REPLICATION CLIENT .*Run GRANT REPLICATION SLAVE, REPLICATION CLIENT ON \*\.\* TO 'reader'@'%';/);
    await db.query(`GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'reader'@'%'`);
    await failedWith('no-reload', config({ 'database.user': 'reader', 'topic.prefix': 'p2' }), /lacks RELOAD \(RELOAD for the brief FLUSH TABLES WITH READ LOCK of snapshot.locking.mode=minimal\)/);
    // without a snapshot to take, REPLICATION and SELECT are enough
    await create('repl-only', config({ 'database.user': 'reader', 'topic.prefix': 'p3', 'snapshot.mode': 'no_data' }));
    await waitFor('repl-only runs', async () => (await rest.status('repl-only')).tasks[0]?.state === 'RUNNING', 60_000);
    await db.query(`INSERT INTO items VALUES (10, 'ten')`);
    await waitFor('repl-only streams the insert', async () => (await ops('p3.shop.items')).join() === 'c', 60_000);
    expect((await rest.call('DELETE', '/connectors/repl-only')).status).toBe(204);
    // snapshot.locking.mode=none takes no lock and opens no consistent snapshot: no RELOAD needed
    await create('no-lock', config({ 'database.user': 'reader', 'topic.prefix': 'p4', 'table.include.list': 'shop\\.items', 'snapshot.locking.mode': 'none' }));
    const reads = await waitFor('no-lock reads the table', async () => {
      const values = (await readCommittedUntilIdle(kafka, 'p4.shop.items', 1_000)).filter((m) => m.value !== null).map((m) => JSON.parse(String(m.value)) as { op: string; source: { snapshot: string } });
      return values.length >= 4 ? values : undefined;
    }, 60_000);
    expect(reads.map((v) => `${v.op}:${v.source.snapshot}`)).toEqual(Array(4).fill('r:incremental'));
    expect(connect.logs()).toMatch(/mysql-cdc: snapshot completed \(snapshot.locking.mode=none\)/);
    expect((await rest.status('no-lock')).tasks[0]?.state).toBe('RUNNING');
    expect((await rest.call('DELETE', '/connectors/no-lock')).status).toBe(204);
  }, 120_000);

  test('the binlog file of the stored position purged -> FAILED explaining the purge and the way out', async () => {
    await create('purged', config({ 'topic.prefix': 'g1', 'snapshot.mode': 'no_data' }));
    await waitFor('purged runs', async () => (await rest.status('purged')).tasks[0]?.state === 'RUNNING', 60_000);
    await db.query(`INSERT INTO items VALUES (20, 'twenty')`);
    await waitFor('the insert is committed (an offset is stored)', async () => (await ops('g1.shop.items')).length === 1, 60_000);
    expect((await rest.call('PUT', '/connectors/purged/stop')).status).toBe(202);
    await waitFor('purged stops', async () => (await rest.status('purged')).connector.state === 'STOPPED', 30_000);
    // a change after the stored position, then its file purged (a purge of only older
    // transactions is no loss: the task resumes by GTID, mysql-cdc-history.it.spec.ts)
    await db.query(`INSERT INTO items VALUES (21, 'lost')`);
    await db.query('FLUSH BINARY LOGS');
    const [status] = await db.query<RowDataPacket[]>('SHOW MASTER STATUS');
    await waitFor('the binlog purged (MariaDB keeps files until its binlog checkpoint passes them)', async () => {
      await db.query(`PURGE BINARY LOGS TO '${String(status[0].File)}'`);
      const [logs] = await db.query<RowDataPacket[]>('SHOW BINARY LOGS');
      return String(logs[0].Log_name) === String(status[0].File);
    }, 30_000);
    expect((await rest.call('PUT', '/connectors/purged/resume')).status).toBe(202);
    const trace = await waitFor('purged fails', async () => {
      const s = await rest.status('purged');
      return [s.connector, ...s.tasks].find((x) => x.state === 'FAILED')?.trace;
    }, 60_000);
    expect(trace).toMatch(/binlog after the stored GTID position 0-1-\d+ \(file mysql-bin\.\d+\) was purged .*snapshot\.mode=when_needed/);
    // the way out the message names: when_needed takes a new snapshot and streams on
    const updated = await rest.call('PUT', '/connectors/purged/config', config({ 'topic.prefix': 'g1', 'snapshot.mode': 'when_needed', 'database.server.id': '6100' }));
    expect([200, 201]).toContain(updated.status);
    await rest.call('POST', '/connectors/purged/restart?includeTasks=true');
    await waitFor('a new snapshot of items', async () => (await ops('g1.shop.items')).filter((op) => op === 'r').length >= 4, 60_000);
    expect((await rest.call('DELETE', '/connectors/purged')).status).toBe(204);
  }, 120_000);

  /** Purges every binlog file before a new one (MariaDB keeps files until its binlog checkpoint passes them). */
  async function purgeAllButNewFile(): Promise<string> {
    await db.query('FLUSH BINARY LOGS');
    const [status] = await db.query<RowDataPacket[]>('SHOW MASTER STATUS');
    const file = String(status[0].File);
    await waitFor('the older binlog files purged', async () => {
      await db.query(`PURGE BINARY LOGS TO '${file}'`);
      const [logs] = await db.query<RowDataPacket[]>('SHOW BINARY LOGS');
      return String(logs[0].Log_name) === file;
    }, 30_000);
    return file;
  }

  async function stopConnector(name: string): Promise<void> {
    expect((await rest.call('PUT', `/connectors/${name}/stop`)).status).toBe(202);
    await waitFor(`${name} stops`, async () => (await rest.status(name)).connector.state === 'STOPPED', 30_000);
  }

  const storedOffset = async (name: string): Promise<Record<string, unknown> | undefined> => {
    const res = await rest.call('GET', `/connectors/${name}/offsets`);
    return (res.body as { offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> }[] }).offsets.find((o) => o.partition['schema_history'] === undefined)?.offset;
  };

  test('GTIDs off: a stored offset of only file/position (no GTID set) resumes at that file/position; its file purged -> FAILED naming the file', async () => {
    // MariaDB always writes GTIDs (there is no gtid_mode=OFF); what "off" leaves the connector
    // is an offset without them, as Debezium's MySQL connector stores with gtid_mode=OFF
    await db.query('CREATE TABLE fp (id INT PRIMARY KEY, label VARCHAR(20))');
    await create('filepos', config({ 'topic.prefix': 'fp', 'table.include.list': 'shop\\.fp', 'snapshot.mode': 'no_data' }));
    await waitFor('filepos runs', async () => (await rest.status('filepos')).tasks[0]?.state === 'RUNNING', 60_000);
    await db.query(`INSERT INTO fp VALUES (1, 'before')`);
    await waitFor('the first insert is committed', async () => (await ops('fp.shop.fp')).length === 1, 60_000);
    await stopConnector('filepos');
    await db.query(`INSERT INTO fp VALUES (2, 'skipped')`);
    const [status] = await db.query<RowDataPacket[]>('SHOW MASTER STATUS');
    const at = { file: String(status[0].File), pos: Number(status[0].Position) };
    await db.query(`INSERT INTO fp VALUES (3, 'after')`);
    const patched = await rest.call('PATCH', '/connectors/filepos/offsets', { offsets: [{ partition: { server: 'fp' }, offset: at }] });
    expect(patched.status).toBe(200);
    expect(await storedOffset('filepos')).toEqual(at);
    expect((await rest.call('PUT', '/connectors/filepos/resume')).status).toBe(202);
    const ids = await waitFor('the insert after the stored file/position streams', async () => {
      const afters = (await readCommittedUntilIdle(kafka, 'fp.shop.fp', 1_500)).filter((m) => m.value !== null).map((m) => (JSON.parse(String(m.value)) as { after: { id: number } }).after.id);
      return afters.length >= 2 ? afters : undefined;
    }, 60_000);
    // only what follows the position: row 2 (before it) is not read, row 3 is, once
    expect(ids).toEqual([1, 3]);
    expect(connect.logs()).toContain(`mysql-cdc: streaming the binlog from ${at.file}:${at.pos}`);
    // the GTID position is picked up again from the transactions read
    expect(await waitFor('the stored offset has a GTID position again', async () => {
      const o = await storedOffset('filepos');
      return o && typeof o['gtids'] === 'string' && o['gtids'] !== '' ? o : undefined;
    }, 30_000)).toMatchObject({ gtids: expect.stringMatching(/^0-1-\d+$/) });

    // a file/position offset whose file is purged: the file/position message, not the GTID one
    await stopConnector('filepos');
    const [now] = await db.query<RowDataPacket[]>('SHOW MASTER STATUS');
    const old = { file: String(now[0].File), pos: Number(now[0].Position) };
    await db.query(`INSERT INTO fp VALUES (4, 'lost')`);
    expect((await rest.call('PATCH', '/connectors/filepos/offsets', { offsets: [{ partition: { server: 'fp' }, offset: old }] })).status).toBe(200);
    await purgeAllButNewFile();
    expect((await rest.call('PUT', '/connectors/filepos/resume')).status).toBe(202);
    const trace = await waitFor('filepos fails', async () => {
      const s = await rest.status('filepos');
      return [s.connector, ...s.tasks].find((x) => x.state === 'FAILED')?.trace;
    }, 60_000);
    expect(trace).toContain(`the binlog file ${old.file} of the stored position was purged from the server`);
    expect(trace).toMatch(/Set snapshot\.mode=when_needed to take a new snapshot, or reset the connector's offsets/);
    expect(trace).not.toMatch(/GTID/);
    expect((await rest.call('DELETE', '/connectors/filepos')).status).toBe(204);
  }, 120_000);

  test('column.include.list and column.exclude.list: only the selected columns (and the key) in snapshot and streamed events', async () => {
    await db.query('CREATE TABLE cols (id INT PRIMARY KEY, keep VARCHAR(10), secret VARCHAR(10), other INT)');
    await db.query(`INSERT INTO cols VALUES (1, 'k1', 's1', 10)`);
    await create('cols-ex', config({ 'topic.prefix': 'cx', 'table.include.list': 'shop\\.cols', 'column.exclude.list': 'shop\\.cols\\.secret' }));
    await create('cols-in', config({ 'topic.prefix': 'ci', 'table.include.list': 'shop\\.cols', 'column.include.list': 'shop\\.cols\\.keep' }));
    await waitFor('both snapshots read', async () => (await ops('cx.shop.cols')).length === 1 && (await ops('ci.shop.cols')).length === 1, 60_000);
    await db.query(`INSERT INTO cols VALUES (2, 'k2', 's2', 20)`);
    await db.query(`UPDATE cols SET keep = 'k1b', secret = 's1b', other = 11 WHERE id = 1`);
    type Event = { op: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null };
    const events = async (topic: string): Promise<Event[]> =>
      waitFor(`${topic}: r, c, u`, async () => {
        const e = (await readCommittedUntilIdle(kafka, topic, 1_500)).filter((m) => m.value !== null).map((m) => JSON.parse(String(m.value)) as Event);
        return e.length >= 3 ? e : undefined;
      }, 60_000);
    const pick = (e: Event[]): unknown[] => e.map(({ op, before, after }) => ({ op, before, after }));
    expect(pick(await events('cx.shop.cols'))).toEqual([
      { op: 'r', before: null, after: { id: 1, keep: 'k1', other: 10 } },
      { op: 'c', before: null, after: { id: 2, keep: 'k2', other: 20 } },
      { op: 'u', before: { id: 1, keep: 'k1', other: 10 }, after: { id: 1, keep: 'k1b', other: 11 } },
    ]);
    expect(pick(await events('ci.shop.cols'))).toEqual([
      { op: 'r', before: null, after: { id: 1, keep: 'k1' } },
      { op: 'c', before: null, after: { id: 2, keep: 'k2' } },
      { op: 'u', before: { id: 1, keep: 'k1' }, after: { id: 1, keep: 'k1b' } },
    ]);
    for (const name of ['cols-ex', 'cols-in']) expect((await rest.call('DELETE', `/connectors/${name}`)).status).toBe(204);
  }, 120_000);

  test('invalid keys fail validation naming the key', async () => {
    const validate = async (cfg: Record<string, string>): Promise<string> => JSON.stringify((await rest.call('PUT', '/connector-plugins/mysql-cdc-source/config/validate', { name: 'v', ...cfg })).body);
    const body = await validate(config({ 'topic.prefix': 'x', 'snapshot.mode': 'sometimes', 'database.server.id': '0' }));
    expect(body).toMatch(/snapshot.mode.*initial, never, initial_only, no_data, when_needed/);
    expect(body).toMatch(/database.server.id.*at least 1/);
    // cross-key checks run once every key is valid on its own
    const cross = await validate(config({ 'topic.prefix': 'x', 'table.include.list': 'a', 'table.exclude.list': 'b' }));
    expect(cross).toMatch(/"error_count":1/);
    expect(cross).toMatch(/table.include.list and table.exclude.list may not both be set/);
  }, 30_000);

  test('snapshot.mode never streams only changes; initial_only reads the table and streams nothing', async () => {
    await db.query('CREATE TABLE modes (id INT PRIMARY KEY, label VARCHAR(20))');
    await db.query(`INSERT INTO modes VALUES (1, 'old'), (2, 'old'), (3, 'old')`);
    await create('cdc-never', config({ 'topic.prefix': 'never', 'table.include.list': 'shop\\.modes', 'snapshot.mode': 'never' }));
    await create('cdc-only', config({ 'topic.prefix': 'only', 'table.include.list': 'shop\\.modes', 'snapshot.mode': 'initial_only' }));
    await create('cdc-only-none', config({ 'topic.prefix': 'onlynone', 'table.include.list': 'shop\\.modes', 'snapshot.mode': 'initial_only', 'snapshot.locking.mode': 'none' }));
    // the same on an empty table: no chunk record can carry the completion
    await db.query('CREATE TABLE nothing (id INT PRIMARY KEY)');
    await create('cdc-only-empty', config({ 'topic.prefix': 'onlyempty', 'table.include.list': 'shop\\.nothing', 'snapshot.mode': 'initial_only', 'snapshot.locking.mode': 'none' }));
    await waitFor('all run', async () => (await rest.status('cdc-never')).tasks[0]?.state === 'RUNNING' && (await rest.status('cdc-only')).tasks[0]?.state === 'RUNNING', 60_000);
    await waitFor('initial_only read the table', async () => (await ops('only.shop.modes')).length === 3 && (await ops('onlynone.shop.modes')).length === 3, 60_000);
    // initial_only with none: the stream stopped after the last chunk, its offset says the snapshot is complete
    for (const name of ['cdc-only-none', 'cdc-only-empty']) {
      await waitFor(`${name} stored its completion`, async () => {
        const offsets = ((await rest.call('GET', `/connectors/${name}/offsets`)).body as { offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> }[] }).offsets;
        return offsets.some((o) => o.partition['schema_history'] === undefined && o.offset['snapshot_completed'] === true) || undefined;
      }, 30_000);
    }
    await db.query(`INSERT INTO modes VALUES (4, 'new')`);
    await db.query(`UPDATE modes SET label = 'changed' WHERE id = 1`);
    await db.query('DELETE FROM modes WHERE id = 2');
    const never = await waitFor('never streams the changes', async () => {
      const seen = await ops('never.shop.modes');
      return seen.length >= 3 ? seen : undefined;
    }, 60_000);
    expect(never).toEqual(['c', 'u', 'd']);
    // a tombstone follows the delete (null value, same key)
    const raw = await readCommittedUntilIdle(kafka, 'never.shop.modes', 1_000);
    expect(raw[raw.length - 1].value).toBeNull();
    expect(JSON.parse(String(raw[raw.length - 1].key))).toEqual({ id: 2 });
    expect(await ops('only.shop.modes')).toEqual(['r', 'r', 'r']);
    expect(await ops('onlynone.shop.modes')).toEqual(['r', 'r', 'r']);
  }, 120_000);

  test('heartbeats: only uncaptured tables and databases written, then nothing at all: heartbeats alone move and keep the stored position at the binlog end', async () => {
    await db.query('CREATE TABLE hb (id INT PRIMARY KEY)');
    await db.query('CREATE TABLE noise (id INT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)');
    await db.query('CREATE DATABASE elsewhere');
    await db.query('CREATE TABLE elsewhere.noise (id INT AUTO_INCREMENT PRIMARY KEY)');
    await create('cdc-hb', config({ 'topic.prefix': 'hb', 'table.include.list': 'shop\\.hb', 'snapshot.mode': 'no_data', 'heartbeat.interval.ms': '300' }));
    await waitFor('cdc-hb runs', async () => (await rest.status('cdc-hb')).tasks[0]?.state === 'RUNNING', 60_000);
    const stored = async (): Promise<{ file: string; pos: number } | undefined> => {
      const res = await rest.call('GET', '/connectors/cdc-hb/offsets');
      // the stream position (the other partitions hold the schema history)
      return (res.body as { offsets: { partition: Record<string, unknown>; offset: { file: string; pos: number } }[] }).offsets.find((o) => o.partition['schema_history'] === undefined)?.offset;
    };
    const binlogEnd = async (): Promise<{ file: string; pos: number }> => {
      const [status] = await db.query<RowDataPacket[]>('SHOW MASTER STATUS');
      return { file: String(status[0].File), pos: Number(status[0].Position) };
    };
    const first = await waitFor('a first heartbeat stores a position', stored, 30_000);
    for (let i = 0; i < 10; i++) await db.query('INSERT INTO noise () VALUES ()');
    for (let i = 0; i < 10; i++) await db.query('INSERT INTO elsewhere.noise () VALUES ()');
    const written = await binlogEnd();
    const moved = await waitFor('the stored position passes the uncaptured writes', async () => {
      const o = await stored();
      return o && o.file === written.file && o.pos >= written.pos ? o : undefined;
    }, 30_000);
    expect(moved.pos).toBeGreaterThan(first.pos);
    // then the database is idle for the acceptance's 60 s (IDLE_MS): heartbeats go on
    // being committed, each with the binlog end
    const idleFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleTo = Date.now();
    expect(await binlogEnd()).toEqual(written); // nothing was written meanwhile
    expect(await stored()).toMatchObject(written);
    // (the heartbeat topic never idles: read up to its last stable offset)
    const beats = await readAll(kafka, '__debezium-heartbeat.hb');
    const idleBeats = beats.map((b) => (JSON.parse(String(b.value)) as { ts_ms: number }).ts_ms).filter((ts) => ts >= idleFrom && ts <= idleTo);
    process.stdout.write(`mysql-cdc: heartbeat position ${first.file}:${first.pos} -> ${moved.file}:${moved.pos} (binlog after uncaptured writes ${written.file}:${written.pos}); ${idleBeats.length} heartbeats in ${IDLE_MS / 1000} s idle, ${beats.length} in all\n`);
    // one every 300 ms; at least a third of them, so a heartbeat loop that stopped or stalled fails
    expect(idleBeats.length).toBeGreaterThanOrEqual(Math.floor(IDLE_MS / 900));
    expect(JSON.parse(String(beats[0].key))).toEqual({ serverName: 'hb' });
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics.filter((t) => t.startsWith('hb.'))).toEqual([]); // nothing captured was written: heartbeats alone moved the position
    expect((await rest.call('DELETE', '/connectors/cdc-hb')).status).toBe(204);
  }, 90_000 + IDLE_MS);

  test('ADD COLUMN and DROP COLUMN mid-stream: each row is emitted with its table shape of the time', async () => {
    await db.query(`CREATE TABLE evolve (id INT PRIMARY KEY, label VARCHAR(20))`);
    await create('cdc-ddl', config({ 'topic.prefix': 'ddl', 'table.include.list': 'shop\\.evolve', 'snapshot.mode': 'no_data' }));
    await waitFor('cdc-ddl runs', async () => (await rest.status('cdc-ddl')).tasks[0]?.state === 'RUNNING', 60_000);
    await db.query(`INSERT INTO evolve VALUES (1, 'one')`);
    await db.query(`ALTER TABLE evolve ADD COLUMN extra VARCHAR(10) DEFAULT 'x'`);
    await db.query(`INSERT INTO evolve VALUES (2, 'two', 'new')`);
    await db.query(`ALTER TABLE evolve DROP COLUMN label`);
    await db.query(`INSERT INTO evolve VALUES (3, 'three')`);
    const afters = await waitFor('three inserts', async () => {
      const values = (await readCommittedUntilIdle(kafka, 'ddl.shop.evolve', 1_500)).filter((m) => m.value !== null).map((m) => (JSON.parse(String(m.value)) as { after: Record<string, unknown> }).after);
      return values.length >= 3 ? values : undefined;
    }, 30_000).catch(async (err: unknown) => {
      process.stdout.write(`--- status ${JSON.stringify(await rest.status('cdc-ddl'))}\n--- topic ${JSON.stringify((await readCommittedUntilIdle(kafka, 'ddl.shop.evolve', 500)).map((m) => String(m.value)))}\n--- connect ---\n${connect.logs().slice(-3000)}\n`);
      throw err;
    });
    expect(afters).toEqual([{ id: 1, label: 'one' }, { id: 2, label: 'two', extra: 'new' }, { id: 3, extra: 'three' }]);
    expect((await rest.call('DELETE', '/connectors/cdc-ddl')).status).toBe(204);
  }, 90_000);
});
