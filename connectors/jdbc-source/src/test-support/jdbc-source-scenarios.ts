import type { ConnectSchema, SourceRecord, SourceTask, Struct } from '@millrace/connect-sdk';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '@millrace/connect-sdk';
import { jdbcSourcePlugin } from '../jdbc-source.plugin';
import { connectorContext, identities, OffsetStore, readFor, readUntil } from './source-harness';

/**
 * The JDBC source's integration scenarios, run against each database by its
 * `*.it.spec.ts` (which starts the server and supplies the SQL that differs).
 */
export interface ScenarioDb {
  /** jdbc: URL of the test database (credentials included or not needed). */
  readonly url: string;
  /** Schema (Postgres) or database (MariaDB) the tables live in. */
  readonly schema: string;
  exec(sql: string): Promise<void>;
  /** DDL: customers, orders (DECIMAL + timestamp), order_lines (composite PK). */
  readonly ddl: {
    readonly customers: string;
    readonly orders: string;
    readonly orderLines: string;
    /** (id auto PK, v INT, changed_at timestamp(6) NOT NULL) named `name`. */
    events(name: string): string;
    /** (id auto PK, name varchar, amount decimal(12,2), created_at timestamp(6), flag bool) named perf_rows, filled with n rows. */
    perf(n: number): readonly string[];
  };
  /** Expression for "now" that the database stores with microseconds. */
  readonly nowExpr: string;
  /** A binary literal. */
  bytes(hex: string): string;
}

const str = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function fieldSchema(schema: ConnectSchema | null, name: string): ConnectSchema {
  const f = schema?.fields?.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name}`);
  return f.schema;
}

function byTopic(records: readonly SourceRecord[], topic: string): SourceRecord[] {
  return records.filter((r) => r.topic === topic);
}

function value(r: SourceRecord): Struct {
  return r.value as Struct;
}

export function jdbcSourceScenarios(getDb: () => ScenarioDb): void {
  const tasks: SourceTask[] = [];
  const open = async (raw: Record<string, string>, store: OffsetStore, taskId = 0): Promise<SourceTask> => {
    const task = jdbcSourcePlugin.createTask() as SourceTask;
    await task.open(raw, store.context(taskId));
    tasks.push(task);
    return task;
  };
  const close = async (task: SourceTask): Promise<void> => {
    await task.teardown();
    tasks.splice(tasks.indexOf(task), 1);
  };
  afterEach(async () => {
    for (const t of tasks.splice(0)) await t.teardown();
  });

  const base = (extra: Record<string, string>): Record<string, string> => ({
    'connector.class': 'jdbc-source',
    'connection.url': getDb().url,
    'topic.prefix': 'db-',
    'poll.interval.ms': '100',
    // These scenarios check Confluent's JDBC source shapes (Connect's millisecond Date/Time/Timestamp);
    // the adaptive (Debezium) mapping is covered by temporal-mapping.spec.ts and the end-to-end round trip.
    'time.precision.mode': 'connect',
    ...extra,
  });

  it('copies customers, orders and order_lines once each with derived schemas, then inserts and updates, and resumes without gaps or duplicates', async () => {
    const db = getDb();
    await db.exec(db.ddl.customers);
    await db.exec(db.ddl.orders);
    await db.exec(db.ddl.orderLines);
    await db.exec(
      `INSERT INTO customers (name, email, active, birthday) VALUES ${[1, 2, 3, 4, 5]
        .map((i) => `(${str(`customer ${i}`)}, ${i === 3 ? 'NULL' : str(`c${i}@example.com`)}, ${i % 2 === 1 ? 'TRUE' : 'FALSE'}, ${i === 1 ? "'1990-05-17'" : 'NULL'})`)
        .join(', ')}`,
    );
    const orderRows = Array.from({ length: 20 }, (_, k) => k + 1).map(
      (i) =>
        `(${(i % 5) + 1}, ${str(`${i * 10 + 2}.50`)}, '2024-03-04 05:06:07.890', ${i === 1 ? "'13:14:15'" : 'NULL'}, ${i === 1 ? "'first'" : 'NULL'}, ${i === 1 ? db.bytes('0102ff') : 'NULL'}, ${i === 1 ? `'{"a":1}'` : 'NULL'}, ${i / 4})`,
    );
    await db.exec(`INSERT INTO orders (customer_id, total, placed_at, pickup, note, payload, attrs, ratio) VALUES ${orderRows.join(', ')}`);
    const lineRows: string[] = [];
    for (let o = 1; o <= 20; o++) for (let l = 1; l <= 2; l++) lineRows.push(`(${o}, ${l}, ${o + l}, ${str(`${o}.${l}25`)})`);
    await db.exec(`INSERT INTO order_lines (order_id, line_no, qty, price) VALUES ${lineRows.join(', ')}`);

    const raw = base({
      mode: 'timestamp+incrementing',
      'incrementing.column.name': 'id',
      'timestamp.column.name': 'updated_at',
      'table.whitelist': 'customers, orders, order_lines',
      'batch.max.rows': '7',
    });
    expect(jdbcSourcePlugin.validate?.(raw, {})).toEqual({});
    const connector = jdbcSourcePlugin.createConnector();
    const cctx = connectorContext();
    await connector.start(raw, {}, cctx);
    const configs = await connector.taskConfigs(2);
    await connector.stop();
    expect(configs).toHaveLength(2);
    const assigned = configs.map((c) => (JSON.parse(c['tables']) as { name: string }[]).map((t) => t.name));
    expect(assigned.flat().sort()).toEqual(['customers', 'order_lines', 'orders']);
    expect(assigned.map((a) => a.length).sort()).toEqual([1, 2]);

    const store = new OffsetStore();
    const t0 = await open(configs[0], store, 0);
    const t1 = await open(configs[1], store, 1);
    const keyOf = (r: SourceRecord): unknown => r.key;
    const initial = await readUntil([t0, t1], store, (all) => all.length >= 65);
    await new Promise((r) => setTimeout(r, 300));
    initial.push(...(await readFor([t0, t1], store, 400)));
    expect(initial).toHaveLength(65);
    expect(new Set(identities(initial, keyOf)).size).toBe(65);
    expect(byTopic(initial, 'db-customers')).toHaveLength(5);
    expect(byTopic(initial, 'db-orders')).toHaveLength(20);
    expect(byTopic(initial, 'db-order_lines')).toHaveLength(40);

    // Schemas derived from the column types.
    const order1 = byTopic(initial, 'db-orders').find((r) => value(r)['id'] === 1) as SourceRecord;
    const vs = order1.valueSchema as ConnectSchema;
    expect(vs.name).toBe('orders');
    expect(vs.fields?.map((f) => f.name)).toEqual(['id', 'customer_id', 'total', 'placed_at', 'pickup', 'note', 'payload', 'attrs', 'ratio', 'updated_at']);
    expect(fieldSchema(vs, 'id')).toEqual({ type: 'int64', optional: false });
    expect(fieldSchema(vs, 'customer_id')).toEqual({ type: 'int32', optional: false });
    expect(fieldSchema(vs, 'total')).toMatchObject({ type: 'bytes', optional: false, name: DECIMAL_LOGICAL, parameters: { scale: '2', 'connect.decimal.precision': '10' } });
    expect(fieldSchema(vs, 'placed_at')).toMatchObject({ type: 'int64', optional: false, name: TIMESTAMP_LOGICAL });
    expect(fieldSchema(vs, 'pickup')).toMatchObject({ type: 'int32', optional: true, name: TIME_LOGICAL });
    expect(fieldSchema(vs, 'note')).toEqual({ type: 'string', optional: true });
    expect(fieldSchema(vs, 'payload')).toEqual({ type: 'bytes', optional: true });
    expect(fieldSchema(vs, 'attrs')).toEqual({ type: 'string', optional: true });
    expect(fieldSchema(vs, 'ratio')).toEqual({ type: 'float64', optional: true });
    expect(order1.keySchema?.fields?.map((f) => [f.name, f.schema.type])).toEqual([['id', 'int64']]);
    expect(order1.key).toEqual({ id: 1 });
    expect(order1.sourcePartition).toEqual({ protocol: '1', table: `${db.schema}.orders` });
    expect(Object.keys(order1.sourceOffset).sort()).toEqual(['incrementing', 'timestamp', 'timestamp_nanos']);
    const v1 = value(order1);
    expect(v1['total']).toBe('12.50');
    expect(v1['placed_at']).toEqual(new Date(Date.UTC(2024, 2, 4, 5, 6, 7, 890)));
    expect(v1['pickup']).toEqual(new Date((13 * 3600 + 14 * 60 + 15) * 1000));
    expect(v1['note']).toBe('first');
    expect(v1['payload']).toEqual(Buffer.from([1, 2, 255]));
    expect(JSON.parse(v1['attrs'] as string)).toEqual({ a: 1 });
    expect(v1['ratio']).toBe(0.25);
    expect(v1['updated_at']).toBeInstanceOf(Date);
    const order2 = value(byTopic(initial, 'db-orders').find((r) => value(r)['id'] === 2) as SourceRecord);
    expect(order2['note']).toBeNull();
    expect(order2['total']).toBe('22.50');

    const customer1 = byTopic(initial, 'db-customers').find((r) => value(r)['id'] === 1) as SourceRecord;
    const cs = customer1.valueSchema as ConnectSchema;
    expect(cs.name).toBe('customers');
    expect(fieldSchema(cs, 'id')).toEqual({ type: 'int32', optional: false });
    expect(fieldSchema(cs, 'name')).toEqual({ type: 'string', optional: false });
    expect(fieldSchema(cs, 'email')).toEqual({ type: 'string', optional: true });
    expect(fieldSchema(cs, 'active')).toEqual({ type: 'boolean', optional: false });
    expect(fieldSchema(cs, 'birthday')).toMatchObject({ type: 'int32', optional: true, name: DATE_LOGICAL });
    expect(value(customer1)).toMatchObject({ id: 1, name: 'customer 1', email: 'c1@example.com', active: true, birthday: new Date(Date.UTC(1990, 4, 17)) });
    expect(value(byTopic(initial, 'db-customers').find((r) => value(r)['id'] === 3) as SourceRecord)['email']).toBeNull();

    const line = byTopic(initial, 'db-order_lines').find((r) => value(r)['order_id'] === 7 && value(r)['line_no'] === 2) as SourceRecord;
    expect(line.keySchema?.fields?.map((f) => f.name)).toEqual(['order_id', 'line_no']);
    expect(line.key).toEqual({ order_id: 7, line_no: 2 });
    expect(value(line)['price']).toBe('7.225');
    expect(fieldSchema(line.valueSchema, 'price')).toMatchObject({ name: DECIMAL_LOGICAL, parameters: { scale: '3' } });

    // Later inserts and an update arrive; nothing else is repeated.
    await db.exec(`INSERT INTO orders (customer_id, total, placed_at) VALUES (1, 1.00, '2024-05-01 00:00:00'), (2, 2.00, '2024-05-01 00:00:00'), (3, 3.00, '2024-05-01 00:00:00')`);
    await db.exec(`UPDATE customers SET email = 'changed@example.com', updated_at = ${db.nowExpr} WHERE id = 2`);
    const later = await readUntil([t0, t1], store, (all) => all.length >= 4);
    await new Promise((r) => setTimeout(r, 300));
    later.push(...(await readFor([t0, t1], store, 400)));
    expect(later).toHaveLength(4);
    expect(byTopic(later, 'db-orders').map((r) => value(r)['id']).sort()).toEqual([21, 22, 23]);
    expect(byTopic(later, 'db-customers').map((r) => [value(r)['id'], value(r)['email']])).toEqual([[2, 'changed@example.com']]);

    // Resume: a fresh task on order_lines only, 30 new lines; ack a prefix of the first
    // batch, tear down, reopen from the acked offset: the rest arrives exactly once.
    await close(t0);
    await close(t1);
    const moreLines: string[] = [];
    for (let o = 21; o <= 35; o++) for (let l = 1; l <= 2; l++) moreLines.push(`(${o}, ${l}, 1, 1.000)`);
    await db.exec(`INSERT INTO order_lines (order_id, line_no, qty, price) VALUES ${moreLines.join(', ')}`);
    const linesOnly = { ...configs[0], tables: JSON.stringify([{ schema: db.schema, name: 'order_lines' }]) };
    const first = await open(linesOnly, store, 0);
    let batch: SourceRecord[] = [];
    while (batch.length === 0) batch = await first.read(100);
    expect(batch.length).toBe(7);
    const acked = batch.slice(0, 3);
    store.commit(acked);
    await close(first);
    const second = await open(linesOnly, store, 0);
    const rest = await readUntil([second], store, (all) => all.length >= 27);
    await new Promise((r) => setTimeout(r, 300));
    rest.push(...(await readFor([second], store, 300)));
    const got = identities([...acked, ...rest], keyOf);
    expect(got).toHaveLength(30);
    expect(new Set(got).size).toBe(30);
    expect([...acked, ...rest].map((r) => value(r)['order_id'] as number).every((o) => o >= 21)).toBe(true);
  });

  it('timestamp mode reads rows sharing one timestamp across a batch boundary, and a restart inside such a group loses nothing', async () => {
    const db = getDb();
    await db.exec(db.ddl.events('events_ts'));
    const rows = [
      ...Array.from({ length: 25 }, (_, i) => `(${i}, '2024-01-01 00:00:00')`),
      ...Array.from({ length: 5 }, (_, i) => `(${100 + i}, '2024-01-01 00:00:01.5')`),
      ...Array.from({ length: 12 }, (_, i) => `(${200 + i}, '2024-01-02 00:00:0${Math.floor(i / 2)}')`),
    ];
    await db.exec(`INSERT INTO events_ts (v, changed_at) VALUES ${rows.join(', ')}`);
    const raw = base({
      mode: 'timestamp',
      'timestamp.column.name': 'changed_at',
      'batch.max.rows': '10',
      tables: JSON.stringify([{ schema: db.schema, name: 'events_ts' }]),
    });
    const store = new OffsetStore();
    const task = await open(raw, store);
    const all = await readUntil([task], store, (r) => r.length >= 42);
    all.push(...(await readFor([task], store, 300)));
    expect(all).toHaveLength(42);
    expect(new Set(all.map((r) => value(r)['v'])).size).toBe(42);
    expect(all[0].sourceOffset).toEqual({ timestamp: null, timestamp_nanos: null });
    expect(all[24].sourceOffset).toEqual({ timestamp: Date.UTC(2024, 0, 1), timestamp_nanos: 0 });
    expect(all[29].sourceOffset).toEqual({ timestamp: Date.UTC(2024, 0, 1, 0, 0, 1, 500), timestamp_nanos: 500_000_000 });
    await close(task);

    // Restart after acking part of the 25-row group: the group is read again, nothing lost.
    const store2 = new OffsetStore();
    const a = await open(raw, store2);
    let first: SourceRecord[] = [];
    while (first.length === 0) first = await a.read(10);
    store2.commit(first);
    await close(a);
    const b = await open(raw, store2);
    const rest = await readUntil([b], store2, (r) => r.length >= 42);
    const seen = new Set([...first, ...rest].map((r) => value(r)['v']));
    expect(seen.size).toBe(42);

    // Restart after a complete group: exact.
    const store3 = new OffsetStore();
    const c = await open(raw, store3);
    const upTo = await readUntil([c], store3, (r) => r.length >= 30, 20_000, 30);
    const committed = upTo.slice(0, 30);
    const store4 = new OffsetStore();
    store4.commit(committed);
    await close(c);
    const d = await open(raw, store4);
    const tail = await readUntil([d], store4, (r) => r.length >= 12);
    tail.push(...(await readFor([d], store4, 300)));
    expect(tail.map((r) => value(r)['v']).sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 12 }, (_, i) => 200 + i));
  });

  it('bulk mode re-reads the whole table every poll; query mode publishes to topic.prefix', async () => {
    const db = getDb();
    await db.exec(db.ddl.events('events_bulk'));
    await db.exec(`INSERT INTO events_bulk (v, changed_at) VALUES (1, '2024-01-01 00:00:00'), (2, '2024-01-01 00:00:00'), (3, '2024-01-01 00:00:00')`);
    const store = new OffsetStore();
    const bulk = await open(base({ mode: 'bulk', 'poll.interval.ms': '200', tables: JSON.stringify([{ schema: db.schema, name: 'events_bulk' }]) }), store);
    const passes = await readUntil([bulk], store, (r) => r.length >= 9);
    expect(passes.slice(0, 9).map((r) => value(r)['v']).sort()).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(passes[0].sourceOffset).toEqual({});

    const query = await open(
      base({ mode: 'incrementing', query: 'SELECT id, v * 10 AS v10 FROM events_bulk', 'incrementing.column.name': 'id', 'topic.prefix': 'bulk-query' }),
      store,
    );
    const q = await readUntil([query], store, (r) => r.length >= 3);
    expect(q.map((r) => [r.topic, value(r)['v10']])).toEqual([
      ['bulk-query', 10],
      ['bulk-query', 20],
      ['bulk-query', 30],
    ]);
    expect(q[2].sourcePartition).toEqual({ query: 'query' });
    expect(q[2].sourceOffset).toEqual({ incrementing: 3 });
    expect(q[0].key).toBeNull();
    expect(q[0].valueSchema?.name).toBeUndefined();
  });

  it('asks for task reconfiguration when a whitelisted table appears', async () => {
    const db = getDb();
    const connector = jdbcSourcePlugin.createConnector();
    const cctx = connectorContext();
    await db.exec(db.ddl.events('appears_a'));
    await connector.start(base({ mode: 'bulk', 'table.whitelist': 'appears_a, appears_b', 'table.poll.interval.ms': '200' }), {}, cctx);
    try {
      // appears_b is missing: one task config that names it (its task fails saying so).
      const before = await connector.taskConfigs(4);
      expect(before.map((c) => c['tables'])).toEqual([JSON.stringify([{ schema: db.schema, name: 'appears_a' }])]);
      expect(before.map((c) => c['missing.tables'])).toEqual([JSON.stringify(['appears_b'])]);
      await db.exec(db.ddl.events('appears_b'));
      const deadline = Date.now() + 10_000;
      while (cctx.reconfigurations === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(cctx.reconfigurations).toBe(1);
      const after = await connector.taskConfigs(4);
      expect(after).toHaveLength(2);
      expect(after.some((c) => 'missing.tables' in c)).toBe(false);
    } finally {
      await connector.stop();
    }
  });

  it('initial sync of 100k rows (incrementing mode) is fast', async () => {
    const db = getDb();
    const n = 100_000;
    for (const sql of db.ddl.perf(n)) await db.exec(sql);
    for (const batchMaxRows of [100, 1000]) {
      const store = new OffsetStore();
      const started = Date.now();
      const task = await open(base({ mode: 'incrementing', 'batch.max.rows': String(batchMaxRows), tables: JSON.stringify([{ schema: db.schema, name: 'perf_rows' }]) }), store);
      let count = 0;
      let lastId = 0;
      let ordered = true;
      while (count < n) {
        const batch = await task.read(2000);
        for (const r of batch) {
          const id = value(r)['id'] as number;
          if (id !== lastId + 1) ordered = false;
          lastId = id;
        }
        count += batch.length;
        store.commit(batch);
      }
      const seconds = (Date.now() - started) / 1000;
      console.log(`[jdbc-source ${db.url.split(':')[1]}] initial sync: ${n} rows in ${seconds.toFixed(2)} s = ${Math.round(n / seconds)} rows/s (batch.max.rows=${batchMaxRows})`);
      expect(ordered).toBe(true);
      expect(count).toBe(n);
      await close(task);
    }
  });
}
