import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '@millrace/connect-sdk';
import { mysqlColumnMapping, type MySqlFieldInfo } from './mysql-dialect';
import { postgresColumnMapping } from './postgres-dialect';
import { normalizeDecimal, numericKind, parseDate, parseTime, toInt64 } from './type-mapping';

const my = (over: Partial<MySqlFieldInfo>): MySqlFieldInfo => ({ name: 'c', columnType: 253, flags: 0, columnLength: 0, decimals: 0, characterSet: 224, ...over });
const NOT_NULL = 1;
const UNSIGNED = 32;

describe('numeric.mapping', () => {
  it.each([
    ['none', 5, 0, 'decimal'],
    ['precision_only', 2, 0, 'int8'],
    ['precision_only', 4, 0, 'int16'],
    ['precision_only', 9, 0, 'int32'],
    ['precision_only', 18, 0, 'int64'],
    ['precision_only', 19, 0, 'decimal'],
    ['precision_only', 10, 2, 'decimal'],
    ['best_fit', 10, 2, 'float64'],
    ['best_fit', 20, 2, 'decimal'],
    ['best_fit', 9, 0, 'int32'],
    ['best_fit_eager_double', 30, 4, 'float64'],
    ['none', 0, 0, 'string'],
    ['best_fit', 0, 0, 'float64'],
  ] as const)('%s NUMERIC(%i,%i) -> %s', (mapping, precision, scale, kind) => {
    expect(numericKind({ precision, scale }, mapping)).toBe(kind);
  });
});

describe('MySQL/MariaDB column mapping', () => {
  it.each([
    [my({ columnType: 1, columnLength: 1 }), { type: 'boolean', optional: true }],
    [my({ columnType: 1, columnLength: 4 }), { type: 'int8', optional: true }],
    [my({ columnType: 1, columnLength: 3, flags: UNSIGNED }), { type: 'int16', optional: true }],
    [my({ columnType: 2, flags: NOT_NULL }), { type: 'int16', optional: false }],
    [my({ columnType: 3 }), { type: 'int32', optional: true }],
    [my({ columnType: 3, flags: UNSIGNED }), { type: 'int64', optional: true }],
    [my({ columnType: 8, flags: NOT_NULL }), { type: 'int64', optional: false }],
    [my({ columnType: 4 }), { type: 'float32', optional: true }],
    [my({ columnType: 5 }), { type: 'float64', optional: true }],
    [my({ columnType: 246, columnLength: 12, decimals: 3 }), { type: 'bytes', optional: true, name: DECIMAL_LOGICAL, version: 1, parameters: { scale: '3', 'connect.decimal.precision': '10' } }],
    [my({ columnType: 10 }), { type: 'int32', optional: true, name: DATE_LOGICAL, version: 1 }],
    [my({ columnType: 11 }), { type: 'int32', optional: true, name: TIME_LOGICAL, version: 1 }],
    [my({ columnType: 12 }), { type: 'int64', optional: true, name: TIMESTAMP_LOGICAL, version: 1 }],
    [my({ columnType: 7 }), { type: 'int64', optional: true, name: TIMESTAMP_LOGICAL, version: 1 }],
    [my({ columnType: 253 }), { type: 'string', optional: true }],
    [my({ columnType: 252, characterSet: 224 }), { type: 'string', optional: true }],
    [my({ columnType: 252, characterSet: 63 }), { type: 'bytes', optional: true }],
    [my({ columnType: 253, characterSet: 63 }), { type: 'bytes', optional: true }],
    [my({ columnType: 245, characterSet: 63 }), { type: 'string', optional: true }],
    [my({ columnType: 16, columnLength: 1 }), { type: 'boolean', optional: true }],
    [my({ columnType: 16, columnLength: 8 }), { type: 'bytes', optional: true }],
  ])('%j', (field, schema) => {
    expect(mysqlColumnMapping(field, 'none').schema).toEqual(schema);
  });

  it('derives DECIMAL precision from the display length and applies best_fit', () => {
    expect(mysqlColumnMapping(my({ columnType: 246, columnLength: 11, decimals: 0 }), 'best_fit').schema.type).toBe('int64'); // DECIMAL(10,0)
    expect(mysqlColumnMapping(my({ columnType: 246, columnLength: 5, decimals: 0, flags: UNSIGNED }), 'best_fit').schema.type).toBe('int32'); // DECIMAL(5,0) UNSIGNED
    expect(mysqlColumnMapping(my({ columnType: 246, columnLength: 12, decimals: 3 }), 'best_fit').schema.type).toBe('float64');
  });

  it('converts raw values to the Connect value contract', () => {
    expect(mysqlColumnMapping(my({ columnType: 1, columnLength: 1 }), 'none').convert(1)).toBe(true);
    expect(mysqlColumnMapping(my({ columnType: 8 }), 'none').convert('9007199254740993')).toBe(9007199254740993n);
    expect(mysqlColumnMapping(my({ columnType: 8 }), 'none').convert('42')).toBe(42);
    expect(mysqlColumnMapping(my({ columnType: 246, columnLength: 12, decimals: 3 }), 'none').convert('-12.500')).toBe('-12.500');
    expect(mysqlColumnMapping(my({ columnType: 246, columnLength: 12, decimals: 3 }), 'best_fit').convert('-12.500')).toBe(-12.5);
    expect(mysqlColumnMapping(my({ columnType: 12 }), 'none').convert('2024-01-02 03:04:05.123456')).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 123)));
    expect(mysqlColumnMapping(my({ columnType: 12 }), 'none').convert(null)).toBeNull();
    expect(mysqlColumnMapping(my({ columnType: 252, characterSet: 63 }), 'none').convert(Buffer.from([1]))).toEqual(Buffer.from([1]));
    expect(mysqlColumnMapping(my({ columnType: 16, columnLength: 1 }), 'none').convert(Buffer.from([1]))).toBe(true);
  });
});

describe('Postgres column mapping', () => {
  const pg = (dataTypeID: number, dataTypeModifier = -1, notNull = false) => postgresColumnMapping({ name: 'c', dataTypeID, dataTypeModifier, notNull }, 'none');

  it('maps type OIDs', () => {
    expect(pg(16).schema).toEqual({ type: 'boolean', optional: true });
    expect(pg(21, -1, true).schema).toEqual({ type: 'int16', optional: false });
    expect(pg(23).schema.type).toBe('int32');
    expect(pg(20).schema.type).toBe('int64');
    expect(pg(700).schema.type).toBe('float32');
    expect(pg(701).schema.type).toBe('float64');
    expect(pg(1700, ((10 << 16) | 2) + 4).schema).toEqual({ type: 'bytes', optional: true, name: DECIMAL_LOGICAL, version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' } });
    expect(pg(1700).schema).toEqual({ type: 'string', optional: true });
    expect(pg(1082).schema.name).toBe(DATE_LOGICAL);
    expect(pg(1083).schema.name).toBe(TIME_LOGICAL);
    expect(pg(1114).schema.name).toBe(TIMESTAMP_LOGICAL);
    expect(pg(1184).schema.name).toBe(TIMESTAMP_LOGICAL);
    expect(pg(17).schema.type).toBe('bytes');
    for (const oid of [25, 1043, 1042, 114, 3802, 2950, 1007]) expect(pg(oid).schema).toEqual({ type: 'string', optional: true });
    expect(pg(1560, 1).schema.type).toBe('boolean');
  });

  it('converts text values', () => {
    expect(pg(1184).convert('2024-01-02 03:04:05.5+00')).toEqual(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 500)));
    expect(pg(1082).convert('2024-02-29')).toEqual(new Date(Date.UTC(2024, 1, 29)));
    expect(pg(1083).convert('13:14:15.25')).toEqual(new Date(47655250));
    expect(pg(20).convert('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(pg(1700, ((10 << 16) | 2) + 4).convert('5.1')).toBe('5.10');
  });
});

describe('value helpers', () => {
  it('normalizes decimals to the scale', () => {
    expect(normalizeDecimal('12.3', 3)).toBe('12.300');
    expect(normalizeDecimal('-0.000', 3)).toBe('0.000');
    expect(normalizeDecimal('+007', 0)).toBe('7');
    expect(normalizeDecimal('-.5', 2)).toBe('-0.50');
    // Texts already in their canonical form at the scale pass unchanged; the others are normalized.
    for (const [text, scale, out] of [['-0.05', 2, '-0.05'], ['0.00', 2, '0.00'], ['-0.00', 2, '0.00'], ['00.10', 2, '0.10'], ['123.45', 2, '123.45'], ['-9.9', 2, '-9.90']] as const) {
      expect(normalizeDecimal(text, scale)).toBe(out);
    }
    expect(toInt64('-900719925474099')).toBe(-900719925474099);
    expect(toInt64('9007199254740993')).toBe(9007199254740993n);
  });

  it('parses dates, times and int64', () => {
    expect(parseDate('0000-00-00')).toBeNull();
    expect(parseTime('-01:00:00')).toEqual(new Date(-3600000));
    expect(toInt64('123')).toBe(123);
    expect(toInt64(5n)).toBe(5);
  });
});
