import { columnCodec, enumValues, parseDateTimeMicros, parseTimeMicros, zonedTimestamp, type MySqlColumn } from './column-types';

const col = (dataType: string, columnType: string, extra: Partial<MySqlColumn> = {}): MySqlColumn => ({ name: 'c', dataType, columnType, optional: true, precision: null, scale: null, fsp: null, ...extra });
const codec = (c: MySqlColumn) => columnCodec(c, 'precise', 'adaptive_time_microseconds');

describe('MySQL column types', () => {
  it('integers: tinyint(1) boolean, widths and signedness as Debezium, BIGINT UNSIGNED lossless', () => {
    expect(codec(col('tinyint', 'tinyint(1)')).schema.type).toBe('boolean');
    expect(codec(col('tinyint', 'tinyint(1)')).decode(1)).toBe(true);
    expect(codec(col('tinyint', 'tinyint(4)')).schema.type).toBe('int16');
    expect(codec(col('smallint', 'smallint(5) unsigned')).schema.type).toBe('int32');
    expect(codec(col('int', 'int(10) unsigned')).schema.type).toBe('int64');
    expect(codec(col('int', 'int(11)')).schema.type).toBe('int32');
    expect(codec(col('bigint', 'bigint(20)')).decode('-9223372036854775808')).toBe(-9223372036854775808n);
    const u = codec(col('bigint', 'bigint(20) unsigned'));
    expect(u.schema).toMatchObject({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '0' } });
    expect(u.decode('18446744073709551615')).toBe('18446744073709551615');
  });

  it('float: float32, the shortest decimal of the single-precision value from the binlog and from a query alike', () => {
    const f = codec(col('float', 'float'));
    expect(f.schema.type).toBe('float32');
    expect(f.decode(1234567.875)).toBe(1234567.9);
    expect(f.decode('1234567.9')).toBe(1234567.9);
    expect(f.decode(3.141590118408203)).toBe(3.14159);
    expect(f.decode(1.5)).toBe(1.5);
    expect(f.decode(-0.1)).toBe(-0.1);
    expect(Math.fround(f.decode(16777217) as number)).toBe(16777216);
  });

  it('decimal per decimal.handling.mode', () => {
    const c = col('decimal', 'decimal(20,4)', { precision: 20, scale: 4 });
    expect(codec(c).schema.parameters).toEqual({ scale: '4', 'connect.decimal.precision': '20' });
    expect(codec(c).decode('1234567890123456.1234')).toBe('1234567890123456.1234');
    expect(columnCodec(c, 'double', 'adaptive_time_microseconds').decode('1.5')).toBe(1.5);
    expect(columnCodec(c, 'string', 'adaptive_time_microseconds').schema.type).toBe('string');
  });

  it('temporal types', () => {
    expect(codec(col('date', 'date')).decode('2024-02-29')).toBe(19782);
    expect(codec(col('date', 'date')).decode('0000-00-00')).toBeNull();
    // zero dates in NOT NULL columns: the epoch, as Debezium (the schema allows no null)
    const notNull = { optional: false };
    expect(codec(col('date', 'date', notNull)).decode('0000-00-00')).toBe(0);
    expect(codec(col('datetime', 'datetime', { ...notNull, fsp: 0 })).decode('0000-00-00 00:00:00')).toBe(0);
    expect(codec(col('datetime', 'datetime(6)', { ...notNull, fsp: 6 })).decode('0000-00-00 00:00:00.000000')).toBe(0);
    expect(codec(col('timestamp', 'timestamp(3)', { ...notNull, fsp: 3 })).decode('0000-00-00 00:00:00.000')).toBe('1970-01-01T00:00:00.000Z');
    expect(codec(col('timestamp', 'timestamp', { fsp: 0 })).decode('0000-00-00 00:00:00')).toBeNull();
    expect(codec(col('datetime', 'datetime(6)', { fsp: 6 })).schema.name).toBe('io.debezium.time.MicroTimestamp');
    expect(codec(col('datetime', 'datetime(6)', { fsp: 6 })).decode('2024-02-29 12:34:56.123456')).toBe(Date.UTC(2024, 1, 29, 12, 34, 56) * 1000 + 123456);
    expect(codec(col('datetime', 'datetime', { fsp: 0 })).decode('1999-12-31 23:59:59')).toBe(Date.UTC(1999, 11, 31, 23, 59, 59));
    expect(codec(col('timestamp', 'timestamp(3)', { fsp: 3 })).decode('2024-01-01 10:00:00.123')).toBe('2024-01-01T10:00:00.123Z');
    expect(codec(col('time', 'time(6)', { fsp: 6 })).decode('-838:59:59.000001')).toBe(-((838 * 3600 + 59 * 60 + 59) * 1_000_000 + 1));
    expect(codec(col('year', 'year(4)')).decode(2024)).toBe(2024);
    expect(columnCodec(col('time', 'time'), 'precise', 'connect').decode('01:00:00')).toBe(3_600_000);
    expect(parseDateTimeMicros('1970-01-01')).toBe(0);
    expect(parseTimeMicros('00:00:01.5')).toBe(1_500_000);
    expect(zonedTimestamp('2024-01-01 10:00:00', 0)).toBe('2024-01-01T10:00:00Z');
  });

  it('enum/set with their allowed values, json, bit, binary', () => {
    expect(enumValues("enum('a','b,c','it''s')")).toEqual(['a', 'b,c', "it's"]);
    expect(codec(col('enum', "enum('a','b')")).schema).toMatchObject({ name: 'io.debezium.data.Enum', parameters: { allowed: 'a,b' } });
    expect(codec(col('set', "set('x','y')")).schema.name).toBe('io.debezium.data.EnumSet');
    expect(codec(col('json', 'json')).schema.name).toBe('io.debezium.data.Json');
    expect(codec(col('bit', 'bit(1)', { precision: 1 })).decode(Buffer.from([1]))).toBe(true);
    const bits = codec(col('bit', 'bit(10)', { precision: 10 }));
    expect(bits.schema).toMatchObject({ name: 'io.debezium.data.Bits', parameters: { length: '10' } });
    expect(bits.decode(Buffer.from([0x02, 0xaa]))).toEqual(Buffer.from([0xaa, 0x02]));
    expect(codec(col('blob', 'blob')).decode(Buffer.from([0, 255]))).toEqual(Buffer.from([0, 255]));
    expect(codec(col('varchar', 'varchar(20)')).decode('héllo 😀')).toBe('héllo 😀');
  });
});
