import { AvroConverter } from '@millrace/connect-sdk';
import { startPostgres } from '@millrace/testing';
import { Client } from 'pg';
import { waitFor } from './support/connect-rest';
import { readCommittedUntilIdle } from './support/kafka';
import { cdcConfig, confirmedFlush, createConnector, currentWalLsn, usePostgresCdc, waitRunning, warehouseSinkConfig } from './support/postgres-cdc';

/**
 * The streaming half of the Postgres CDC source end to end (ephemeral Postgres with
 * wal_level=logical, the broker with its registry, a connect worker with exactly-once
 * sources, a Postgres warehouse fed by the jdbc-sink through ExtractNewRecordState):
 *
 * 1. TOAST: a TOASTed text column (> 8 kB) untouched by an update arrives from pgoutput as
 *    'u' (unchanged); the record carries Debezium's placeholder and lists the column in
 *    the millrace.unchanged.columns header, and the warehouse keeps its value — also when
 *    the value was changed by an earlier update of the same row in the same sink batch;
 * 2. DDL mid-stream (relation messages): add a NOT NULL column with a default (inside a
 *    transaction with inserts before and after it), drop a NOT NULL column, widen
 *    int -> bigint and varchar(10) -> varchar(50): after each, the warehouse equals the
 *    source and the registry holds a new value-schema version (not for the varchar
 *    widening: the Connect schema is a string either way, as in Debezium);
 * 3. heartbeats: records in __debezium-heartbeat.<topic.prefix> with Debezium's key and
 *    value schemas, and a slot that keeps advancing while only an uncaptured table is
 *    written (20 s, sampled: the mechanism, not the acceptance line's 60 s);
 * 4. the replication connection terminated twice while transactions stream: the task
 *    reconnects instead of failing, every insert once in the topic; then the slot dropped
 *    while streaming: FAILED with what to do (this connector also leaves a column out
 *    through column.exclude.list);
 * 5. types: a row of every column type read by the snapshot and the same row streamed
 *    carry identical values, as Debezium represents them (time.precision.mode=adaptive,
 *    interval as MicroDuration), and the warehouse round-trips them;
 * 6. a slot invalidated by max_slot_wal_keep_size (wal_status lost): FAILED with what to
 *    do. (Test 3 also checks the slot's health — WAL held, wal_status — in the status.)
 */
describe('postgres-cdc-source streaming', () => {
  const env = usePostgresCdc();

  const digest = async (client: typeof env.db, sql: string): Promise<{ n: string; sum: string }> => {
    const { rows } = await client.query<{ n: string; sum: string }>(sql);
    return rows[0];
  };

  const waitEqual = async (what: string, sourceSql: string, warehouseSql: string, timeoutMs = 60_000): Promise<{ n: string; sum: string }> => {
    const source = await digest(env.db, sourceSql);
    let copy: { n: string; sum: string } | null = null;
    try {
      await waitFor(what, async () => {
        copy = await digest(env.warehouse, warehouseSql).catch(() => null);
        return copy !== null && copy.n === source.n && copy.sum === source.sum;
      }, timeoutMs);
    } catch (err) {
      process.stdout.write(`${what}: source ${JSON.stringify(source)} warehouse ${JSON.stringify(copy)}\n--- connect ---\n${env.connect.logs().slice(-5000)}\n`);
      throw err;
    }
    return source;
  };

  const versions = async (subject: string): Promise<number[]> => {
    const res = await fetch(`${env.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`);
    return res.status === 200 ? ((await res.json()) as number[]) : [];
  };

  test('a TOASTed text column (> 8 kB) untouched by an update keeps its value in the warehouse', async () => {
    const { db } = env;
    await db.query('CREATE TABLE docs (id INT PRIMARY KEY, title TEXT NOT NULL, n INT, body TEXT)');
    // 16 kB of hex from random md5s: barely compressible, so stored out of line (TOASTed)
    const bigText = `(SELECT string_agg(md5(random()::text || g::text || s::text), '') FROM generate_series(1, 500) s)`;
    await db.query(`INSERT INTO docs SELECT g, 'doc ' || g, 0, ${bigText} FROM generate_series(1, 20) g`);
    const toasted = await db.query<{ n: string }>(`SELECT count(*) AS n FROM docs WHERE pg_column_size(body) > 8192`);
    expect(Number(toasted.rows[0].n)).toBe(20);
    expect((await db.query<{ relreplident: string }>(`SELECT relreplident FROM pg_class WHERE relname = 'docs'`)).rows[0].relreplident).toBe('d');

    await createConnector(env.rest, 'cdc-docs', cdcConfig(env.pg, { 'topic.prefix': 'toast', 'table.include.list': 'public\\.docs', 'slot.name': 'docs_slot', 'publication.name': 'docs_pub' }));
    await createConnector(env.rest, 'warehouse-docs', warehouseSinkConfig(env.pg, 'toast.public.docs', 'toast'));
    await waitRunning(env.rest, 'cdc-docs');
    const sql = `SELECT count(*)::text AS n, coalesce(md5(string_agg(concat_ws('|', id, title, n, md5(body)), ',' ORDER BY id)), '') AS sum FROM docs`;
    await waitEqual('the snapshot reaches the warehouse', sql, sql);

    // updates that leave body alone (pgoutput sends it as 'u'), and for rows 11-12 a body
    // change immediately followed by an update that leaves body alone
    await db.query(`UPDATE docs SET title = title || ' (edited)', n = n + 1 WHERE id <= 10`);
    await db.query(`UPDATE docs SET body = 'short now ' || id WHERE id = 11`);
    await db.query(`UPDATE docs SET title = 'after short body' WHERE id = 11`);
    await db.query(`UPDATE docs SET body = ${bigText.replace('g::text', 'id::text')} WHERE id = 12`);
    await db.query(`UPDATE docs SET n = 42 WHERE id = 12`);
    await waitEqual('the warehouse keeps the untouched TOASTed values', sql, sql);

    // the records did carry the placeholder and the header (else this test would prove nothing)
    const values = new AvroConverter();
    values.configure({ 'schema.registry.url': env.registryUrl }, false);
    const updates: { id: number; body: string | null; header: string | null }[] = [];
    for (const m of await readCommittedUntilIdle(env.kafka, 'toast.public.docs', 2_000)) {
      if (m.value === null) continue;
      const v = (await values.toConnectData('toast.public.docs', m.value)).value as { op: string; after: { id: number; body: string | null } };
      const header = m.headers?.['millrace.unchanged.columns'];
      if (v.op === 'u') updates.push({ id: v.after.id, body: v.after.body, header: header === undefined ? null : String(header) });
    }
    const marked = updates.filter((u) => u.header !== null);
    // ids 1-10 and id 12's second update; id 11's short body is stored inline and sent whole
    expect(marked.map((u) => u.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);
    for (const u of marked) {
      expect(u.body).toBe('__debezium_unavailable_value');
      expect(u.header).toBe('["body"]');
    }
    expect(updates.filter((u) => u.id === 11).map((u) => u.body)).toEqual(['short now 11', 'short now 11']);
    const kept = await env.warehouse.query<{ n: string }>(`SELECT count(*) AS n FROM docs WHERE body LIKE '%unavailable%'`);
    expect(Number(kept.rows[0].n)).toBe(0);
  }, 120_000);

  test('DDL mid-stream: add column with default, drop column, widen types: the warehouse follows, new schema versions, no record lost', async () => {
    const { db } = env;
    await db.query('CREATE TABLE items (id INT PRIMARY KEY, qty INT NOT NULL, code VARCHAR(10), note TEXT NOT NULL)');
    await db.query(`INSERT INTO items SELECT g, g * 10, 'c' || g, 'note ' || g FROM generate_series(1, 100) g`);
    await createConnector(env.rest, 'cdc-items', cdcConfig(env.pg, { 'topic.prefix': 'ddl', 'table.include.list': 'public\\.items', 'slot.name': 'items_slot', 'publication.name': 'items_pub' }));
    await createConnector(env.rest, 'warehouse-items', warehouseSinkConfig(env.pg, 'ddl.public.items', 'ddl', { 'auto.evolve': 'true' }));
    await waitRunning(env.rest, 'cdc-items');
    const compare = (columns: string) => `SELECT count(*)::text AS n, coalesce(md5(string_agg(concat_ws('|', ${columns}), ',' ORDER BY id)), '') AS sum FROM items`;
    await waitEqual('the snapshot reaches the warehouse', compare('id, qty, code, note'), compare('id, qty, code, note'));
    const subject = 'ddl.public.items-value';
    const v0 = (await versions(subject)).length;
    expect(v0).toBeGreaterThanOrEqual(1);

    // 1. add a NOT NULL column with a default, inside a transaction with changes before and after it
    await db.query('BEGIN');
    await db.query(`INSERT INTO items VALUES (101, 1, 'before', 'added before the DDL')`);
    await db.query(`ALTER TABLE items ADD COLUMN status TEXT NOT NULL DEFAULT 'new'`);
    await db.query(`INSERT INTO items VALUES (102, 2, 'after', 'added after the DDL', 'shipped')`);
    await db.query(`UPDATE items SET status = 'held', qty = qty + 1 WHERE id % 7 = 0`);
    await db.query('COMMIT');
    await db.query(`INSERT INTO items (id, qty, code, note) SELECT g, g, 'x', 'later' FROM generate_series(103, 120) g`);
    await waitEqual('the warehouse has the added column', compare('id, qty, code, note, status'), compare('id, qty, code, note, status'));
    const v1 = (await versions(subject)).length;
    expect(v1).toBe(v0 + 1);
    const added = await env.warehouse.query<{ column_default: string | null }>(`SELECT column_default FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'status'`);
    expect(added.rows[0]?.column_default).toMatch(/'new'/);

    // 2. drop a NOT NULL column: the warehouse keeps it (nullable now) and takes new rows
    await db.query('ALTER TABLE items DROP COLUMN note');
    await db.query(`INSERT INTO items (id, qty, code) SELECT g, g, 'dropped' FROM generate_series(121, 140) g`);
    await db.query(`UPDATE items SET status = 'after drop' WHERE id <= 5`);
    await db.query('DELETE FROM items WHERE id BETWEEN 50 AND 59');
    await waitEqual('the warehouse follows the dropped column', compare('id, qty, code, status'), compare('id, qty, code, status'));
    expect((await versions(subject)).length).toBe(v1 + 1);
    const note = await env.warehouse.query<{ is_nullable: string }>(`SELECT is_nullable FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'note'`);
    expect(note.rows[0]?.is_nullable).toBe('YES');

    // 3. widen int -> bigint and varchar(10) -> varchar(50), with values only the wider types hold
    await db.query('ALTER TABLE items ALTER COLUMN qty TYPE BIGINT, ALTER COLUMN code TYPE VARCHAR(50)');
    await db.query(`INSERT INTO items (id, qty, code) SELECT g, 5000000000 + g, repeat('w', 40) FROM generate_series(141, 160) g`);
    await db.query(`UPDATE items SET qty = 9000000000 WHERE id = 1`);
    const final = await waitEqual('the warehouse follows the widened types', compare('id, qty, code, status'), compare('id, qty, code, status'));
    expect((await versions(subject)).length).toBe(v1 + 2); // int32 -> int64; varchar(50) is still a string
    const qty = await env.warehouse.query<{ data_type: string }>(`SELECT data_type FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'qty'`);
    expect(qty.rows[0]?.data_type).toBe('bigint');
    expect(final.n).toBe('150');
    process.stdout.write(`postgres-cdc DDL: ${final.n} rows equal after 3 DDL steps; ${subject} versions ${v0} -> ${(await versions(subject)).length}\n`);
  }, 180_000);

  test('heartbeats: Debezium heartbeat records, and the slot advances while only an uncaptured table is written', async () => {
    const { db } = env;
    await db.query('CREATE TABLE quiet (id INT PRIMARY KEY)');
    await db.query('CREATE TABLE noise (id SERIAL PRIMARY KEY, at TIMESTAMPTZ DEFAULT now())');
    const json = { 'key.converter': 'json', 'key.converter.schemas.enable': 'true', 'value.converter': 'json', 'value.converter.schemas.enable': 'true' };
    await createConnector(env.rest, 'cdc-quiet', cdcConfig(env.pg, { ...json, 'topic.prefix': 'hb', 'table.include.list': 'public\\.quiet', 'slot.name': 'quiet_slot', 'publication.name': 'quiet_pub', 'heartbeat.interval.ms': '1000' }));
    await waitRunning(env.rest, 'cdc-quiet');
    await waitFor('the connector streams', async () => /streaming slot \\?"quiet_slot\\?"/.test(env.connect.logs()), 30_000);

    const start = await confirmedFlush(db, 'quiet_slot');
    const samples: bigint[] = [];
    let writtenBefore = 0n;
    const began = Date.now();
    while (Date.now() - began < 20_000) {
      for (let i = 0; i < 5; i++) await db.query('INSERT INTO noise DEFAULT VALUES');
      if (Date.now() - began > 17_000 && writtenBefore === 0n) writtenBefore = await currentWalLsn(db);
      samples.push(await confirmedFlush(db, 'quiet_slot'));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const end = await waitFor('the slot passes the writes of the window', async () => {
      const c = await confirmedFlush(db, 'quiet_slot');
      return c >= writtenBefore ? c : undefined;
    }, 20_000);
    const advances = samples.filter((s, i) => i > 0 && s > samples[i - 1]).length;
    process.stdout.write(`postgres-cdc heartbeat: confirmed_flush ${start} -> ${end} over 20 s of uncaptured writes, ${advances} advances in ${samples.length} samples\n`);
    expect(end).toBeGreaterThan(start);
    expect(advances).toBeGreaterThanOrEqual(samples.length / 3); // it keeps moving, not once

    // the slot's health in the running task's status
    const trace = await waitFor('slot health in the status', async () => (await env.rest.status('cdc-quiet')).tasks[0]?.trace, 20_000);
    expect(trace).toMatch(/^slot "quiet_slot": [\d.]+ (bytes|kB|MB) of WAL held \(confirmed_flush_lsn [0-9A-F]+\/[0-9A-F]+\), wal_status reserved, safe_wal_size unlimited$/);

    // stopped first, so the heartbeat topic goes quiet and can be read to its end
    expect((await env.rest.call('DELETE', '/connectors/cdc-quiet')).status).toBe(204);
    const beats = (await readCommittedUntilIdle(env.kafka, '__debezium-heartbeat.hb', 1_500)).map((m) => ({
      key: JSON.parse(String(m.key)) as { schema: { name: string }; payload: { serverName: string } },
      value: JSON.parse(String(m.value)) as { schema: { name: string; fields: { field: string; type: string }[] }; payload: { ts_ms: number } },
    }));
    expect(beats.length).toBeGreaterThanOrEqual(10);
    expect(beats[0].key.schema.name).toBe('io.debezium.connector.common.ServerNameKey');
    expect(beats[0].key.payload).toEqual({ serverName: 'hb' });
    expect(beats[0].value.schema.name).toBe('io.debezium.connector.common.Heartbeat');
    expect(beats[0].value.schema.fields.map((f) => [f.field, f.type])).toEqual([['ts_ms', 'int64']]);
    const ts = beats.map((b) => b.value.payload.ts_ms);
    expect(ts.every((t, i) => i === 0 || t >= ts[i - 1])).toBe(true);
  }, 120_000);

  test('a lost replication connection is re-established (no loss, no duplicate); a dropped slot fails with what to do', async () => {
    const { db } = env;
    await db.query('CREATE TABLE resil (id INT PRIMARY KEY, v INT, secret TEXT)');
    const json = { 'key.converter': 'json', 'key.converter.schemas.enable': 'false', 'value.converter': 'json', 'value.converter.schemas.enable': 'false' };
    await createConnector(env.rest, 'cdc-resil', cdcConfig(env.pg, { ...json, 'topic.prefix': 'rc', 'table.include.list': 'public\\.resil', 'slot.name': 'resil_slot', 'publication.name': 'resil_pub', 'column.exclude.list': 'public\\.resil\\.secret' }));
    await waitRunning(env.rest, 'cdc-resil');
    await waitFor('the connector streams', async () => /streaming slot \\?"resil_slot\\?"/.test(env.connect.logs()), 30_000);
    const activePid = async (): Promise<number | null> => (await db.query<{ pid: number | null }>(`SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = 'resil_slot'`)).rows[0]?.pid ?? null;
    const states = new Set<string>();
    const watch = setInterval(() => void env.rest.status('cdc-resil').then((st) => states.add(st.tasks[0]?.state ?? 'none'), () => undefined), 250);
    let terminated = 0;
    try {
      for (let i = 1; i <= 300; i++) {
        await db.query(`INSERT INTO resil VALUES ($1, $2, 'hidden')`, [i, i]);
        if (i === 100 || i === 200) {
          const pid = await waitFor('the walsender is active', async () => (await activePid()) ?? undefined, 30_000);
          await db.query('SELECT pg_terminate_backend($1)', [pid]);
          terminated++;
        }
        if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const events = await waitFor('every insert in the topic', async () => {
        const values = (await readCommittedUntilIdle(env.kafka, 'rc.public.resil', 1_500)).filter((m) => m.value !== null).map((m) => JSON.parse(String(m.value)) as { op: string; after: { id: number; v: number } });
        return values.length >= 300 ? values : undefined;
      }, 90_000);
      expect(terminated).toBe(2);
      expect(events).toHaveLength(300);
      expect(new Set(events.map((e) => e.after.id)).size).toBe(300);
      expect(Object.keys(events[0].after).sort()).toEqual(['id', 'v']); // column.exclude.list left out the secret
      expect(env.connect.logs().match(/replication connection of slot \\?"resil_slot\\?" re-established/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      expect(states.has('FAILED')).toBe(false);
    } finally {
      clearInterval(watch);
    }

    // the slot dropped while streaming (its walsender ended first, else the server refuses to drop it)
    await waitFor('the slot is dropped', async () => {
      const pid = await activePid();
      if (pid !== null) await db.query('SELECT pg_terminate_backend($1)', [pid]);
      return db.query(`SELECT pg_drop_replication_slot('resil_slot')`).then(() => true, () => false);
    }, 30_000);
    const trace = await waitFor('cdc-resil fails', async () => {
      const st = await env.rest.status('cdc-resil');
      return st.tasks[0]?.state === 'FAILED' ? st.tasks[0].trace : undefined;
    }, 60_000);
    expect(trace).toMatch(/replication slot "resil_slot" was dropped while the connector was streaming.*snapshot\.mode=when_needed.*DELETE \/connectors\/<name>\/offsets/s);
  }, 180_000);

  test('types: snapshot and stream carry the same Debezium values for every column type; the warehouse round-trips them', async () => {
    const { db } = env;
    await db.query(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
    await db.query(`CREATE TABLE typed (id INT PRIMARY KEY, s SMALLINT, b BIGINT, r REAL, d DOUBLE PRECISION, n NUMERIC(12,4), nv NUMERIC, flag BOOLEAN, t TEXT, vc VARCHAR(20), ch CHAR(3),
      bin BYTEA, dt DATE, tm TIME, tm3 TIME(3), ts TIMESTAMP, ts3 TIMESTAMP(3), tstz TIMESTAMPTZ, iv INTERVAL, u UUID, j JSON, jb JSONB, arr INT[], e mood)`);
    const row = `-32768, 9007199254740993, 1.5, 2.25, -12345678.1234, 3.14159, true, 'héllo', 'varchar', 'ab', '\\x00ff', '2024-02-29', '13:04:05.123456', '13:04:05.123',
      '2024-02-29 13:04:05.123456', '2024-02-29 13:04:05.123', '2024-06-01 12:00:00+02', '1 day 01:00:00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": [1, 2]}', '{1,2,3}', 'happy'`;
    await db.query(`INSERT INTO typed VALUES (1, ${row})`);
    await createConnector(env.rest, 'cdc-typed', cdcConfig(env.pg, { 'topic.prefix': 'ty', 'table.include.list': 'public\\.typed', 'slot.name': 'typed_slot', 'publication.name': 'typed_pub' }));
    await createConnector(env.rest, 'warehouse-typed', warehouseSinkConfig(env.pg, 'ty.public.typed', 'ty'));
    await waitRunning(env.rest, 'cdc-typed');
    await waitFor('the connector streams', async () => /streaming slot \\?"typed_slot\\?"/.test(env.connect.logs()), 30_000);
    await db.query(`INSERT INTO typed VALUES (2, ${row})`);

    const values = new AvroConverter();
    values.configure({ 'schema.registry.url': env.registryUrl }, false);
    const events = await waitFor('the snapshot row and the streamed row', async () => {
      const out: { op: string; after: Record<string, unknown> }[] = [];
      for (const m of await readCommittedUntilIdle(env.kafka, 'ty.public.typed', 1_500)) if (m.value !== null) out.push((await values.toConnectData('ty.public.typed', m.value)).value as (typeof out)[number]);
      return out.length >= 2 ? out : undefined;
    }, 60_000);
    expect(events.map((e) => e.op)).toEqual(['r', 'c']);
    const text = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
    const [snap, streamed] = events.map((e) => ({ ...e.after, id: undefined }));
    expect(text(streamed)).toBe(text(snap)); // one decoder for both paths
    const a = events[1].after;
    expect(Number(a.s)).toBe(-32768);
    expect(String(a.b)).toBe('9007199254740993');
    expect([a.r, a.d, a.flag, a.t, a.vc, a.ch]).toEqual([1.5, 2.25, true, 'héllo', 'varchar', 'ab ']);
    expect(String(a.n)).toBe('-12345678.1234');
    expect(a.nv).toEqual({ scale: 5, value: expect.anything() });
    expect(Buffer.from(a.bin as Uint8Array).toString('hex')).toBe('00ff');
    expect(Number(a.dt)).toBe(19782);
    expect(Number(a.tm)).toBe(47045123456);
    expect(Number(a.tm3)).toBe(47045123);
    expect(Number(a.ts)).toBe(Date.UTC(2024, 1, 29, 13, 4, 5, 123) * 1000 + 456);
    expect(Number(a.ts3)).toBe(Date.UTC(2024, 1, 29, 13, 4, 5, 123));
    expect(a.tstz).toBe('2024-06-01T10:00:00Z');
    expect(Number(a.iv)).toBe(90_000_000_000);
    expect([a.u, a.j, a.jb, a.arr, a.e]).toEqual(['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": [1, 2]}', '{1,2,3}', 'happy']);

    // the same row with time.precision.mode=connect and interval.handling.mode=string (JSON with schemas)
    await createConnector(env.rest, 'cdc-typed-connect', cdcConfig(env.pg, {
      'topic.prefix': 'tyc', 'table.include.list': 'public\\.typed', 'slot.name': 'typed_connect_slot', 'publication.name': 'typed_pub',
      'time.precision.mode': 'connect', 'interval.handling.mode': 'string',
      'key.converter': 'json', 'value.converter': 'json', 'value.converter.schemas.enable': 'true',
    }));
    const connectRows = await waitFor('the connect-mode rows', async () => {
      const out = (await readCommittedUntilIdle(env.kafka, 'tyc.public.typed', 1_500)).filter((m) => m.value !== null).map((m) => JSON.parse(String(m.value)) as { schema: { fields: { field: string; fields?: { field: string; name?: string }[] }[] }; payload: { after: Record<string, unknown> } });
      return out.length >= 2 ? out : undefined;
    }, 60_000);
    const afterFields = connectRows[0].schema.fields.find((x) => x.field === 'after')?.fields ?? [];
    const nameOf = (field: string) => afterFields.find((x) => x.field === field)?.name;
    expect([nameOf('dt'), nameOf('tm'), nameOf('ts'), nameOf('iv')]).toEqual(['org.apache.kafka.connect.data.Date', 'org.apache.kafka.connect.data.Time', 'org.apache.kafka.connect.data.Timestamp', 'io.debezium.time.Interval']);
    const c = connectRows[1].payload.after;
    expect([c.dt, c.tm, c.ts, c.iv]).toEqual([19782, 47045123, Date.UTC(2024, 1, 29, 13, 4, 5, 123), 'P0Y0M1DT1H0M0S']);

    const cols = `s, b, r, d, n, nv, flag, t, vc, rtrim(ch), encode(bin, 'hex'), dt, tm, tm3, ts, ts3, tstz, u::text, j::text, jb::text, arr::text, e::text`;
    const sql = (source: boolean) => `SELECT count(*)::text AS n, md5(string_agg(concat_ws('|', id, ${cols}, ${source ? "(extract(epoch FROM iv) * 1000000)::bigint" : 'iv'}), ',' ORDER BY id)) AS sum FROM typed`;
    await waitEqual('the warehouse round-trips every type', sql(true), sql(false));
  }, 120_000);

  test('a slot invalidated by max_slot_wal_keep_size fails the connector with what to do', async () => {
    // its own server: invalidating slots must not touch the other tests' slots
    const pg = await startPostgres();
    const db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    try {
      await db.query('CREATE TABLE lossy (id INT PRIMARY KEY)');
      const json = { 'key.converter': 'json', 'key.converter.schemas.enable': 'false', 'value.converter': 'json', 'value.converter.schemas.enable': 'false' };
      const config = cdcConfig(pg, { ...json, 'topic.prefix': 'lossy', 'table.include.list': 'public\\.lossy', 'slot.name': 'lossy_slot', 'publication.name': 'lossy_pub' });
      await createConnector(env.rest, 'cdc-lossy', config);
      await waitRunning(env.rest, 'cdc-lossy');
      await waitFor('the connector streams', async () => /streaming slot \\?"lossy_slot\\?"/.test(env.connect.logs()), 30_000);
      // the connector goes away (its slot stays), the server keeps only 1 MB of WAL for slots, WAL moves on
      expect((await env.rest.call('DELETE', '/connectors/cdc-lossy')).status).toBe(204);
      await waitFor('the slot is released', async () => (await db.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'lossy_slot' AND NOT active`)).rowCount === 1, 30_000);
      await db.query(`ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'`);
      await db.query('SELECT pg_reload_conf()');
      for (let i = 0; i < 4; i++) {
        await db.query('INSERT INTO lossy VALUES ($1)', [i]);
        await db.query('SELECT pg_switch_wal()');
      }
      await db.query('CHECKPOINT');
      await waitFor('the slot is lost', async () => (await db.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'lossy_slot' AND wal_status = 'lost'`)).rowCount === 1, 30_000);
      await createConnector(env.rest, 'cdc-lossy-again', config);
      const trace = await waitFor('cdc-lossy-again fails', async () => {
        const st = await env.rest.status('cdc-lossy-again');
        return [st.connector, ...st.tasks].find((x) => x.state === 'FAILED')?.trace;
      }, 60_000);
      expect(trace).toMatch(/replication slot "lossy_slot" was invalidated \(wal_status lost.*SELECT pg_drop_replication_slot\('lossy_slot'\);\) and set snapshot\.mode=when_needed/s);
      expect((await env.rest.call('DELETE', '/connectors/cdc-lossy-again')).status).toBe(204);
    } finally {
      await db.end();
      await pg.stop();
    }
  }, 120_000);
});
