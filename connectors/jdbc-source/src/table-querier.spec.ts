import { MYSQL_SYNTAX } from './dialect/mysql-dialect';
import { POSTGRES_SYNTAX } from './dialect/postgres-dialect';
import { buildQuery, buildTieQuery, incrementingValue, offsetOf, positionFromOffset, sourcePartition, START, type QuerySpec } from './table-querier';
import { parseSqlTimestamp, type SqlTimestamp } from './sql-timestamp';

const table = { kind: 'table', table: { schema: 'shop', name: 'orders' } } as const;
const spec = (over: Partial<QuerySpec>): QuerySpec => ({ source: table, mode: 'incrementing', incrementingColumn: 'id', timestampColumns: ['updated_at'], suffix: '', ...over });
const ts = (t: string): SqlTimestamp => parseSqlTimestamp(t) as SqlTimestamp;
const end = ts('2024-05-01 10:00:00.250000');

describe('buildQuery', () => {
  it('incrementing: inc > ? ORDER BY inc LIMIT n, without the bound at the start', () => {
    expect(buildQuery(MYSQL_SYNTAX, spec({}), START, null, 100)).toEqual({ sql: 'SELECT * FROM `shop`.`orders` ORDER BY `id` ASC LIMIT 100', params: [] });
    expect(buildQuery(POSTGRES_SYNTAX, spec({}), { timestamp: null, incrementing: 42 }, null, 100)).toEqual({
      sql: 'SELECT * FROM "shop"."orders" WHERE "id" > $1 ORDER BY "id" ASC LIMIT 100',
      params: [42],
    });
  });

  it('timestamp: ts < end AND ts > ? ORDER BY ts, with COALESCE for several columns', () => {
    const q = buildQuery(MYSQL_SYNTAX, spec({ mode: 'timestamp', timestampColumns: ['modified', 'created'] }), { timestamp: ts('2024-05-01 09:00:00.000001'), incrementing: null }, end, 50);
    expect(q.sql).toBe('SELECT * FROM `shop`.`orders` WHERE COALESCE(`modified`, `created`) < ? AND COALESCE(`modified`, `created`) > ? ORDER BY COALESCE(`modified`, `created`) ASC LIMIT 50');
    expect(q.params).toEqual(['2024-05-01 10:00:00.250000', '2024-05-01 09:00:00.000001']);
    expect(buildQuery(POSTGRES_SYNTAX, spec({ mode: 'timestamp' }), START, end, 50).sql).toBe('SELECT * FROM "shop"."orders" WHERE "updated_at" < $1 ORDER BY "updated_at" ASC LIMIT 50');
  });

  it('timestamp+incrementing: ts < end AND ((ts = ? AND inc > ?) OR ts > ?) ORDER BY ts, inc', () => {
    const q = buildQuery(POSTGRES_SYNTAX, spec({ mode: 'timestamp+incrementing' }), { timestamp: ts('2024-05-01 09:00:00'), incrementing: 7 }, end, 100);
    expect(q.sql).toBe(
      'SELECT * FROM "shop"."orders" WHERE "updated_at" < $1 AND (("updated_at" = $2 AND "id" > $3) OR "updated_at" > $4) ORDER BY "updated_at" ASC, "id" ASC LIMIT 100',
    );
    expect(q.params).toEqual(['2024-05-01 10:00:00.250000', '2024-05-01 09:00:00.000000', 7, '2024-05-01 09:00:00.000000']);
    expect(buildQuery(MYSQL_SYNTAX, spec({ mode: 'timestamp+incrementing' }), { timestamp: ts('2024-05-01 09:00:00'), incrementing: null }, end, 10).sql).toBe(
      'SELECT * FROM `shop`.`orders` WHERE `updated_at` < ? AND `updated_at` >= ? ORDER BY `updated_at` ASC, `id` ASC LIMIT 10',
    );
  });

  it('bulk reads the table or the query as is; query mode filters the query as a subquery', () => {
    expect(buildQuery(MYSQL_SYNTAX, spec({ mode: 'bulk' }), START, null, 100).sql).toBe('SELECT * FROM `shop`.`orders`');
    expect(buildQuery(MYSQL_SYNTAX, spec({ mode: 'bulk', source: { kind: 'query', sql: 'SELECT a FROM t' }, suffix: 'LOCK IN SHARE MODE' }), START, null, 100).sql).toBe(
      'SELECT a FROM t LOCK IN SHARE MODE',
    );
    expect(buildQuery(POSTGRES_SYNTAX, spec({ source: { kind: 'query', sql: 'SELECT id, x FROM t WHERE x > 0' } }), { timestamp: null, incrementing: '9007199254740993' }, null, 5)).toEqual({
      sql: 'SELECT * FROM (SELECT id, x FROM t WHERE x > 0) "millrace_query" WHERE "id" > $1 ORDER BY "id" ASC LIMIT 5',
      params: ['9007199254740993'],
    });
  });

  it('quotes identifiers safely', () => {
    expect(MYSQL_SYNTAX.tableName({ schema: 'a`b', name: 'c' })).toBe('`a``b`.`c`');
    expect(POSTGRES_SYNTAX.tableName({ schema: 'Public', name: 'we"ird' })).toBe('"Public"."we""ird"');
  });

  it('tie query selects one timestamp group', () => {
    expect(buildTieQuery(POSTGRES_SYNTAX, spec({ mode: 'timestamp' }), ts('2024-01-01 00:00:00'))).toEqual({
      sql: 'SELECT * FROM "shop"."orders" WHERE "updated_at" = $1',
      params: ['2024-01-01 00:00:00.000000'],
    });
  });
});

describe('offsets and partitions', () => {
  it('uses Confluent shapes', () => {
    expect(sourcePartition(table)).toEqual({ protocol: '1', table: 'shop.orders' });
    expect(sourcePartition({ kind: 'query', sql: 'x' })).toEqual({ query: 'query' });
    const pos = { timestamp: ts('2024-01-02 03:04:05.123456'), incrementing: 12 };
    expect(offsetOf('incrementing', pos)).toEqual({ incrementing: 12 });
    expect(offsetOf('timestamp', pos)).toEqual({ timestamp: Date.UTC(2024, 0, 2, 3, 4, 5, 123), timestamp_nanos: 123456000 });
    expect(offsetOf('timestamp+incrementing', pos)).toEqual({ timestamp: Date.UTC(2024, 0, 2, 3, 4, 5, 123), timestamp_nanos: 123456000, incrementing: 12 });
    expect(offsetOf('bulk', pos)).toEqual({});
  });

  it('reads stored offsets back', () => {
    const pos = { timestamp: ts('2024-01-02 03:04:05.123456'), incrementing: 12 };
    expect(positionFromOffset(offsetOf('timestamp+incrementing', pos))).toEqual(pos);
    expect(positionFromOffset({ timestamp: 1500 })).toEqual({ timestamp: { epochMs: 1500, nanos: 500_000_000 }, incrementing: null });
    expect(positionFromOffset({ incrementing: '9007199254740993' })).toEqual({ timestamp: null, incrementing: '9007199254740993' });
    expect(positionFromOffset(null)).toEqual(START);
    expect(positionFromOffset({ timestamp: null, timestamp_nanos: null })).toEqual(START);
  });

  it('keeps incrementing values exact', () => {
    expect(incrementingValue('42')).toBe(42);
    expect(incrementingValue(7)).toBe(7);
    expect(incrementingValue('9007199254740993')).toBe('9007199254740993');
    expect(incrementingValue(null)).toBeNull();
  });
});
