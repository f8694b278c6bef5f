import type { Client } from 'pg';
import { waitFor } from './support/connect-rest';
import { usePostgresConnect } from './support/postgres-connect';

/**
 * Types preserved: a Postgres table with exact numerics, microsecond timestamps with and
 * without time zone, dates, times, bytes and awkward text goes Postgres -> jdbc-source
 * (bulk mode, default time.precision.mode=adaptive) -> broker (Avro, the worker default)
 * -> jdbc-sink (upsert over COPY, auto.create) -> another table of the same database. The
 * destination must equal the source in row count, in an all-column checksum (every row's
 * text form, ordered by id) and in its column types: type, precision, scale, datetime
 * precision and nullability, as information_schema reports them.
 */
describe('jdbc-source to jdbc-sink keeps every value and type', () => {
  const env = usePostgresConnect();

  const SOURCE_DDL = `CREATE TABLE typed_src (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    amount NUMERIC(10,2) NOT NULL,
    big NUMERIC(30,8),
    happened TIMESTAMPTZ NOT NULL,
    local_ts TIMESTAMP(6),
    ts3 TIMESTAMP(3),
    day DATE,
    at_time TIME(6),
    ratio DOUBLE PRECISION,
    flag BOOLEAN,
    small SMALLINT,
    count INTEGER,
    payload BYTEA)`;

  const insertRows = async (db: Client, from: number, to: number): Promise<void> => {
    await db.query(
      `INSERT INTO typed_src
         SELECT i,
                CASE i % 4 WHEN 0 THEN 'tab\there' WHEN 1 THEN E'line\\nbreak \\\\ back' WHEN 2 THEN 'ünïcødé ✓' ELSE '\\N literal' END,
                ((i * 7919) % 100000000)::numeric / 100 * (CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END),
                CASE WHEN i % 5 = 0 THEN NULL ELSE (i::numeric * 1234567.12345678) END,
                timestamptz '1969-12-31 23:59:58.123456+00' + (i || ' hours')::interval + (i || ' microseconds')::interval,
                CASE WHEN i % 7 = 0 THEN NULL ELSE timestamp '2024-02-29 13:04:05.000001' + (i || ' seconds')::interval END,
                timestamp '2001-01-01 00:00:00.999' + (i || ' milliseconds')::interval,
                date '1950-01-01' + i,
                time '00:00:00.000001' + (i || ' minutes')::interval,
                i / 3.0,
                i % 2 = 0,
                (i % 30000)::smallint,
                i * 1000,
                CASE WHEN i % 6 = 0 THEN NULL ELSE decode(lpad(to_hex(i), 8, '0'), 'hex') END
           FROM generate_series($1::int, $2::int) AS i`,
      [from, to],
    );
  };

  const columns = async (db: Client, table: string) =>
    (
      await db.query(
        `SELECT column_name, data_type, numeric_precision, numeric_scale, datetime_precision, is_nullable
           FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name`,
        [table],
      )
    ).rows;

  const digest = async (db: Client, table: string): Promise<{ rows: number; sum: string | null }> => {
    const exists = await db.query('SELECT 1 FROM information_schema.tables WHERE table_name = $1', [table]);
    if (exists.rowCount === 0) return { rows: 0, sum: null };
    const r = await db.query<{ rows: string; sum: string | null }>(
      `SELECT count(*) AS rows, md5(string_agg(t::text, '|' ORDER BY id)) AS sum
         FROM (SELECT id, name, amount, big, happened, local_ts, ts3, day, at_time, ratio, flag, small, count, payload FROM "${table}") AS t`,
    );
    return { rows: Number(r.rows[0].rows), sum: r.rows[0].sum };
  };

  test('count, all-column checksum and column types equal the source, also after updates', async () => {
    const { db, rest } = env;
    await db.query(SOURCE_DDL);
    await insertRows(db, 1, 2000);
    const registry = `http://127.0.0.1:${env.broker.httpPort}`;
    const avro = {
      'key.converter': 'io.confluent.connect.avro.AvroConverter',
      'key.converter.schema.registry.url': registry,
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'value.converter.schema.registry.url': registry,
    };
    const source = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
      'connection.url': env.jdbcUrl,
      mode: 'bulk',
      'table.whitelist': 'typed_src',
      'topic.prefix': 'rt-',
      'poll.interval.ms': '500',
      'batch.max.rows': '500',
      ...avro,
    };
    const sink = {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': env.jdbcUrl,
      topics: 'rt-typed_src',
      'table.name.format': 'typed_dst',
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      ...avro,
    };
    expect((await rest.call('POST', '/connectors', { name: 'rt-source', config: source })).status).toBe(201);
    expect((await rest.call('POST', '/connectors', { name: 'rt-sink', config: sink })).status).toBe(201);

    const expected = await digest(db, 'typed_src');
    expect(expected.rows).toBe(2000);
    await waitFor('the copy equals the source', async () => (await digest(db, 'typed_dst')).sum === expected.sum, 60_000);
    expect(await digest(db, 'typed_dst')).toEqual(expected);

    const srcColumns = await columns(db, 'typed_src');
    expect(srcColumns).toHaveLength(14);
    expect(await columns(db, 'typed_dst')).toEqual(srcColumns);
    // Spot checks that fail loudly if a checksum formula ever hides a loosened type.
    expect(srcColumns.find((c) => c.column_name === 'amount')).toMatchObject({ data_type: 'numeric', numeric_precision: 10, numeric_scale: 2 });
    expect(srcColumns.find((c) => c.column_name === 'happened')).toMatchObject({ data_type: 'timestamp with time zone', datetime_precision: 6 });

    // Updates travel as upserts (staging table + INSERT ... ON CONFLICT) on the next bulk poll.
    await db.query(`UPDATE typed_src SET amount = -amount, happened = happened + interval '1 microsecond', name = name || E'\\t*' WHERE id % 10 = 0`);
    await insertRows(db, 2001, 2100);
    const updated = await digest(db, 'typed_src');
    expect(updated.sum).not.toBe(expected.sum);
    await waitFor('the copy follows the updates', async () => (await digest(db, 'typed_dst')).sum === updated.sum, 60_000);
    expect(await digest(db, 'typed_dst')).toEqual(updated);
  }, 180_000);
});
