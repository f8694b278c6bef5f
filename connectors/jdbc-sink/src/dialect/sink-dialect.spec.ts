import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema } from '@millrace/connect-sdk';
import { MySqlSinkDialect } from './mysql-sink-dialect';
import { PostgresSinkDialect } from './postgres-sink-dialect';

const s = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: false, ...extra });

describe('PostgresSinkDialect', () => {
  const d = new PostgresSinkDialect();

  it('quotes identifiers and schema-qualified tables', () => {
    expect(d.quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(d.quoteTable('public.Orders')).toBe('"public"."Orders"');
  });

  it('builds multi-row INSERT, upsert, UPDATE and DELETE', () => {
    expect(d.insertSql('t', ['a', 'b'], 2)).toBe('INSERT INTO "t" ("a", "b") VALUES ($1, $2), ($3, $4)');
    expect(d.upsertSql('t', ['id', 'v'], ['id'], 1)).toBe('INSERT INTO "t" ("id", "v") VALUES ($1, $2) ON CONFLICT ("id") DO UPDATE SET "v" = EXCLUDED."v"');
    expect(d.upsertSql('t', ['id'], ['id'], 1)).toBe('INSERT INTO "t" ("id") VALUES ($1) ON CONFLICT ("id") DO NOTHING');
    expect(d.updateSql('t', ['v', 'w'], ['id'])).toBe('UPDATE "t" SET "v" = $1, "w" = $2 WHERE "id" = $3');
    expect(d.deleteSql('t', ['id'], 3)).toBe('DELETE FROM "t" WHERE "id" IN ($1, $2, $3)');
    expect(d.deleteSql('t', ['a', 'b'], 2)).toBe('DELETE FROM "t" WHERE ("a", "b") IN (($1, $2), ($3, $4))');
  });

  it('maps Connect types to PostgreSQL types', () => {
    expect(d.columnType(s('int8'), false)).toEqual({ type: 'smallint' });
    expect(d.columnType(s('int32'), false)).toEqual({ type: 'integer' });
    expect(d.columnType(s('int64'), true)).toEqual({ type: 'bigint' });
    expect(d.columnType(s('float32'), false)).toEqual({ type: 'real' });
    expect(d.columnType(s('float64'), false)).toEqual({ type: 'double precision' });
    expect(d.columnType(s('string'), true)).toEqual({ type: 'text' });
    expect(d.columnType(s('bytes'), false)).toEqual({ type: 'bytea' });
    expect(d.columnType(s('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: '2' } }), false)).toEqual({ type: 'numeric' });
    expect(d.columnType(s('int32', { name: DATE_LOGICAL }), false)).toEqual({ type: 'date' });
    expect(d.columnType(s('int32', { name: TIME_LOGICAL }), false)).toEqual({ type: 'time', precision: 3 });
    expect(d.columnType(s('int64', { name: TIMESTAMP_LOGICAL }), false)).toEqual({ type: 'timestamp', precision: 3 });
    expect(() => d.columnType(s('array'), false)).toThrow(/no PostgreSQL column type/);
  });

  it('binds values in UTC text form and bigints as strings', () => {
    const when = new Date(Date.UTC(2024, 1, 29, 13, 4, 5, 67));
    expect(d.toSqlValue(when, s('int64', { name: TIMESTAMP_LOGICAL }))).toBe('2024-02-29 13:04:05.067');
    expect(d.toSqlValue(new Date(Date.UTC(2024, 1, 29)), s('int32', { name: DATE_LOGICAL }))).toBe('2024-02-29');
    expect(d.toSqlValue(new Date(Date.UTC(1970, 0, 1, 23, 59, 58, 1)), s('int32', { name: TIME_LOGICAL }))).toBe('23:59:58.001');
    expect(d.toSqlValue(2n ** 63n - 1n, s('int64'))).toBe('9223372036854775807');
    expect(d.toSqlValue('-12.340', s('bytes', { name: DECIMAL_LOGICAL }))).toBe('-12.340');
    expect(d.toSqlValue(undefined, s('string'))).toBeNull();
  });

  it('renders defaults as literals', () => {
    expect(d.defaultLiteral(s('string', { defaultValue: "it's" }))).toBe("'it''s'");
    expect(d.defaultLiteral(s('boolean', { defaultValue: true }))).toBe('true');
    expect(d.defaultLiteral(s('int32', { defaultValue: 7 }))).toBe('7');
    expect(d.defaultLiteral(s('int32'))).toBeUndefined();
  });
});

describe('MySqlSinkDialect', () => {
  const d = new MySqlSinkDialect();

  it('quotes with backticks and uses ? placeholders', () => {
    expect(d.quoteTable('db.t`x')).toBe('`db`.`t``x`');
    expect(d.insertSql('t', ['a'], 2)).toBe('INSERT INTO `t` (`a`) VALUES (?), (?)');
  });

  it('builds ON DUPLICATE KEY UPDATE upserts', () => {
    expect(d.upsertSql('t', ['id', 'v', 'w'], ['id'], 1)).toBe('INSERT INTO `t` (`id`, `v`, `w`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE `v` = VALUES(`v`), `w` = VALUES(`w`)');
    expect(d.upsertSql('t', ['id'], ['id'], 1)).toBe('INSERT INTO `t` (`id`) VALUES (?) ON DUPLICATE KEY UPDATE `id` = VALUES(`id`)');
  });

  it('maps Connect types to MySQL types, with key-sized strings and bytes', () => {
    expect(d.columnType(s('int8'), false)).toEqual({ type: 'tinyint' });
    expect(d.columnType(s('string'), false)).toEqual({ type: 'text' });
    expect(d.columnType(s('string'), true)).toEqual({ type: 'varchar', length: '255' });
    expect(d.columnType(s('bytes'), false)).toEqual({ type: 'longblob' });
    expect(d.columnType(s('bytes'), true)).toEqual({ type: 'varbinary', length: '255' });
    expect(d.columnType(s('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: '4' } }), false)).toEqual({ type: 'decimal', precision: 65, scale: 4 });
    expect(d.columnType(s('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: '40' } }), false)).toEqual({ type: 'decimal', precision: 65, scale: 30 });
    expect(d.columnType(s('int64', { name: TIMESTAMP_LOGICAL }), false)).toEqual({ type: 'datetime', precision: 3 });
    expect(d.columnType(s('int32', { name: TIME_LOGICAL }), false)).toEqual({ type: 'time', precision: 3 });
    expect(d.defaultLiteral(s('boolean', { defaultValue: false }))).toBe('0');
  });
});

describe('precision-keeping column types', () => {
  const pgd = new PostgresSinkDialect();
  const my = new MySqlSinkDialect();
  const named = (type: ConnectSchema['type'], name: string) => s(type, { name, version: 1 });

  it('maps Decimal with connect.decimal.precision to NUMERIC(p, s) / DECIMAL(p, s)', () => {
    const dec = s('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: '2', 'connect.decimal.precision': '10' } });
    expect(pgd.columnType(dec, false)).toEqual({ type: 'numeric', precision: 10, scale: 2 });
    expect(my.columnType(dec, false)).toEqual({ type: 'decimal', precision: 10, scale: 2 });
    const unusable = s('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: '4', 'connect.decimal.precision': '3' } });
    expect(pgd.columnType(unusable, false)).toEqual({ type: 'numeric' });
    expect(my.columnType(unusable, false)).toEqual({ type: 'decimal', precision: 65, scale: 4 });
  });

  it("maps Debezium's temporal schemas with their precision and zone", () => {
    expect(pgd.columnType(named('int32', 'io.debezium.time.Date'), false)).toEqual({ type: 'date' });
    expect(pgd.columnType(named('int64', 'io.debezium.time.MicroTime'), false)).toEqual({ type: 'time', precision: 6 });
    expect(pgd.columnType(named('int64', 'io.debezium.time.Timestamp'), false)).toEqual({ type: 'timestamp', precision: 3 });
    expect(pgd.columnType(named('int64', 'io.debezium.time.MicroTimestamp'), false)).toEqual({ type: 'timestamp', precision: 6 });
    expect(pgd.columnType(named('string', 'io.debezium.time.ZonedTimestamp'), false)).toEqual({ type: 'timestamp with time zone', precision: 6 });
    expect(my.columnType(named('string', 'io.debezium.time.ZonedTimestamp'), false)).toEqual({ type: 'datetime', precision: 6 });
    expect(my.columnType(named('int64', 'io.debezium.time.MicroTime'), false)).toEqual({ type: 'time', precision: 6 });
  });

  it('binds Debezium temporal values as UTC text with their microseconds', () => {
    expect(pgd.toSqlValue(19782, named('int32', 'io.debezium.time.Date'))).toBe('2024-02-29');
    expect(pgd.toSqlValue(47_655_123_456, named('int64', 'io.debezium.time.MicroTime'))).toBe('13:14:15.123456');
    expect(pgd.toSqlValue(47_655_250, named('int32', 'io.debezium.time.Time'))).toBe('13:14:15.250000');
    expect(pgd.toSqlValue(-1, named('int64', 'io.debezium.time.MicroTimestamp'))).toBe('1969-12-31 23:59:59.999999');
    expect(pgd.toSqlValue(Date.UTC(2024, 0, 2, 3, 4, 5, 678), named('int64', 'io.debezium.time.Timestamp'))).toBe('2024-01-02 03:04:05.678000');
    expect(pgd.toSqlValue('2024-01-02T03:04:05.123456Z', named('string', 'io.debezium.time.ZonedTimestamp'))).toBe('2024-01-02T03:04:05.123456Z');
    expect(my.toSqlValue('2024-01-02T03:04:05.123456Z', named('string', 'io.debezium.time.ZonedTimestamp'))).toBe('2024-01-02 03:04:05.123456');
    expect(my.toSqlValue('2024-01-02T05:04:05.5+02:00', named('string', 'io.debezium.time.ZonedTimestamp'))).toBe('2024-01-02 03:04:05.500000');
  });
});

describe('SinkDialect.keepsStrings', () => {
  const names = [undefined, 'some.custom.Name', DECIMAL_LOGICAL, DATE_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, 'org.apache.kafka.connect.data.VariableScaleDecimal'];
  for (const n of ['Date', 'Time', 'MicroTime', 'Timestamp', 'MicroTimestamp', 'ZonedTimestamp', 'ZonedTime']) names.push(`io.debezium.time.${n}`);
  const samples = ['', 'plain', '2024-03-01T10:00:00.123456Z', '2024-03-01T10:00:00+02:00', '12.50', '19000', '86399999'];

  it.each([
    ['PostgreSQL', new PostgresSinkDialect()],
    ['MySQL', new MySqlSinkDialect()],
  ])('%s: a string schema it keeps has every string value bound as it is', (_name, d) => {
    for (const name of names) {
      const schema = s('string', name === undefined ? {} : { name });
      if (!d.keepsStrings(schema)) continue;
      for (const v of samples) expect([name, v, d.toSqlValue(v, schema)]).toEqual([name, v, v]);
    }
    expect(d.keepsStrings(s('string'))).toBe(true);
    expect(d.keepsStrings(s('int32'))).toBe(false);
    expect(d.keepsStrings(s('string', { name: 'io.debezium.time.MicroTimestamp' }))).toBe(false);
  });

  it('keeps ZonedTimestamp text on PostgreSQL, not on MySQL (converted to UTC wall-clock text)', () => {
    const zoned = s('string', { name: 'io.debezium.time.ZonedTimestamp' });
    expect(new PostgresSinkDialect().keepsStrings(zoned)).toBe(true);
    expect(new MySqlSinkDialect().keepsStrings(zoned)).toBe(false);
  });
});
