import { DATE_LOGICAL, TIMESTAMP_LOGICAL } from '@millrace/connect-sdk';
import {
  DEBEZIUM_DATE,
  DEBEZIUM_MICRO_TIME,
  DEBEZIUM_MICRO_TIMESTAMP,
  DEBEZIUM_TIME,
  DEBEZIUM_TIMESTAMP,
  DEBEZIUM_ZONED_TIME,
  DEBEZIUM_ZONED_TIMESTAMP,
} from '@millrace/jdbc';
import { mysqlColumnMapping, type MySqlFieldInfo } from './mysql-dialect';
import { postgresColumnMapping } from './postgres-dialect';
import { timeTextToMicros, timestampTextToMicros } from './temporal-mapping';

const pg = (oid: number, typmod = -1, mode: 'adaptive' | 'adaptive_time_microseconds' | 'connect' = 'adaptive') =>
  postgresColumnMapping({ name: 'c', dataTypeID: oid, dataTypeModifier: typmod, notNull: true }, 'none', mode);

describe('time.precision.mode on Postgres columns', () => {
  it('adaptive keeps each column precision and zone (Debezium schemas)', () => {
    expect(pg(1082).schema).toEqual({ type: 'int32', optional: false, name: DEBEZIUM_DATE, version: 1 });
    expect(pg(1083, 3).schema.name).toBe(DEBEZIUM_TIME);
    expect(pg(1083).schema).toMatchObject({ type: 'int64', name: DEBEZIUM_MICRO_TIME });
    expect(pg(1266).schema).toMatchObject({ type: 'string', name: DEBEZIUM_ZONED_TIME });
    expect(pg(1114, 0).schema).toMatchObject({ type: 'int64', name: DEBEZIUM_TIMESTAMP });
    expect(pg(1114, 3).schema.name).toBe(DEBEZIUM_TIMESTAMP);
    expect(pg(1114, 4).schema.name).toBe(DEBEZIUM_MICRO_TIMESTAMP);
    expect(pg(1114).schema.name).toBe(DEBEZIUM_MICRO_TIMESTAMP);
    expect(pg(1184).schema).toMatchObject({ type: 'string', name: DEBEZIUM_ZONED_TIMESTAMP });
  });

  it('adaptive_time_microseconds makes every TIME MicroTime; connect is Confluent mapping', () => {
    expect(pg(1083, 0, 'adaptive_time_microseconds').schema.name).toBe(DEBEZIUM_MICRO_TIME);
    expect(pg(1114, 6, 'adaptive_time_microseconds').schema.name).toBe(DEBEZIUM_MICRO_TIMESTAMP);
    expect(pg(1082, -1, 'connect').schema.name).toBe(DATE_LOGICAL);
    expect(pg(1184, -1, 'connect').schema.name).toBe(TIMESTAMP_LOGICAL);
  });

  it('converts the UTC text with every microsecond', () => {
    expect(pg(1082).convert('2024-02-29')).toBe(19782);
    expect(pg(1082).convert('1969-12-31')).toBe(-1);
    expect(pg(1082).convert('infinity')).toBeNull();
    expect(pg(1083, 3).convert('13:14:15.25')).toBe(47_655_250);
    expect(pg(1083).convert('13:14:15.123456')).toBe(47_655_123_456);
    expect(pg(1266).convert('13:14:15.123456+02')).toBe('11:14:15.123456Z');
    expect(pg(1114, 3).convert('2024-01-02 03:04:05.678')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    expect(pg(1114).convert('2024-01-02 03:04:05.000007')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 7);
    expect(pg(1114).convert('1969-12-31 23:59:59.999999')).toBe(-1);
    expect(pg(1184).convert('2024-01-02 03:04:05.12345+00')).toBe('2024-01-02T03:04:05.123450Z');
    expect(pg(1184, 0).convert('2024-01-02 05:04:05+02')).toBe('2024-01-02T03:04:05Z');
    expect(pg(1184).convert(null)).toBeNull();
  });

  it('parses time and timestamp texts to microseconds', () => {
    expect(timeTextToMicros('838:59:59.000001')).toBe(3_020_399_000_001);
    expect(timeTextToMicros('-01:00:00')).toBe(-3_600_000_000);
    expect(timeTextToMicros('nonsense')).toBeNull();
    expect(timestampTextToMicros('0000-00-00 00:00:00')).toBeNull();
  });
});

describe('time.precision.mode on MySQL columns', () => {
  const my = (columnType: number, decimals: number): MySqlFieldInfo => ({ name: 'c', columnType, flags: 1, columnLength: 26, decimals, characterSet: 63 });
  it('DATETIME(p) without zone, TIMESTAMP(p) zoned, TIME(p) by precision', () => {
    expect(mysqlColumnMapping(my(12, 6), 'none', 'adaptive').schema.name).toBe(DEBEZIUM_MICRO_TIMESTAMP);
    expect(mysqlColumnMapping(my(12, 0), 'none', 'adaptive').schema.name).toBe(DEBEZIUM_TIMESTAMP);
    expect(mysqlColumnMapping(my(7, 3), 'none', 'adaptive').convert('2024-01-02 03:04:05.678')).toBe('2024-01-02T03:04:05.678Z');
    expect(mysqlColumnMapping(my(11, 6), 'none', 'adaptive').convert('-838:59:59.000000')).toBe(-3_020_399_000_000);
    expect(mysqlColumnMapping(my(10, 0), 'none', 'adaptive').convert('2024-02-29')).toBe(19782);
    expect(mysqlColumnMapping(my(12, 6), 'none', 'connect').schema.name).toBe(TIMESTAMP_LOGICAL);
  });
});

describe('ZonedTimestamp text', () => {
  it('rewrites UTC text directly and equals the microsecond path for other offsets', () => {
    const zoned = (typmod: number) => pg(1184, typmod);
    expect(zoned(-1).convert('2024-01-02 03:04:05+00')).toBe('2024-01-02T03:04:05.000000Z');
    expect(zoned(3).convert('2024-01-02 03:04:05.1234+00')).toBe('2024-01-02T03:04:05.123Z');
    expect(zoned(-1).convert('2024-01-02 03:04:05.5-01:30')).toBe('2024-01-02T04:34:05.500000Z');
    expect(zoned(-1).convert('12024-01-02 03:04:05+00')).toBe('12024-01-02T03:04:05.000000Z');
    expect(zoned(-1).convert('infinity')).toBeNull();
  });

  it("reads Postgres's UTC output at every fraction length and column precision, and leaves other shapes to the general path", () => {
    const zoned = (typmod: number) => pg(1184, typmod);
    expect(zoned(-1).convert('2024-01-02 03:04:05.000001+00')).toBe('2024-01-02T03:04:05.000001Z');
    expect(zoned(-1).convert('2024-01-02 03:04:05.1+00')).toBe('2024-01-02T03:04:05.100000Z');
    expect(zoned(6).convert('1999-12-31 23:59:59.999999+00')).toBe('1999-12-31T23:59:59.999999Z');
    expect(zoned(2).convert('2024-01-02 03:04:05.129+00')).toBe('2024-01-02T03:04:05.12Z');
    expect(zoned(0).convert('2024-01-02 03:04:05+00')).toBe('2024-01-02T03:04:05Z');
    expect(zoned(4).convert('2024-01-02 03:04:05.12+00')).toBe('2024-01-02T03:04:05.1200Z');
    // Every UTC spelling the scan takes: 'T' or space, +00, +0000, +00:00, Z or no zone.
    expect(zoned(-1).convert('2024-01-02 03:04:05+00:00')).toBe('2024-01-02T03:04:05.000000Z');
    expect(zoned(-1).convert('2024-01-02T03:04:05.25Z')).toBe('2024-01-02T03:04:05.250000Z');
    expect(zoned(3).convert('2024-01-02T03:04:05.25+0000')).toBe('2024-01-02T03:04:05.250Z');
    expect(zoned(1).convert('2024-01-02 03:04:05.25')).toBe('2024-01-02T03:04:05.2Z');
    // Other shapes take the microsecond path: a 7-digit fraction, an empty one, a zone that is not UTC.
    expect(zoned(-1).convert('2024-01-02 03:04:05.1234567+00')).toBe('2024-01-02T03:04:05.123456Z');
    expect(zoned(-1).convert('2024-01-02 03:04:05.+00')).toBeNull();
    expect(zoned(-1).convert('2024-01-02 03:04:05.25+01')).toBe('2024-01-02T02:04:05.250000Z');
    expect(zoned(-1).convert('2024-01-02 03:04:05+00 BC')).not.toBe('2024-01-02T03:04:05.000000Z');
  });
});
