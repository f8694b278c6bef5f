/**
 * A struct schema with every Connect type (logical types, optional values, maps with
 * string and non-string keys, a nested struct, int64 beyond 2^53) and a matching value,
 * for converter round-trip tests.
 */
import type { ConnectField, ConnectSchema } from '../../record/connect-schema';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '../../record/connect-schema';

const s = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: false, ...extra });
const fields = (...defs: [string, ConnectSchema][]): ConnectField[] => defs.map(([name, schema], index) => ({ name, index, schema }));

export const ALL_TYPES_SCHEMA: ConnectSchema = s('struct', {
  name: 'acme.Everything',
  version: 1,
  fields: fields(
    ['i8', s('int8')],
    ['i16', s('int16')],
    ['i32', s('int32')],
    ['i64', s('int64')],
    ['big', s('int64')],
    ['f32', s('float32')],
    ['f64', s('float64')],
    ['flag', s('boolean')],
    ['text', s('string')],
    ['raw', s('bytes')],
    ['opt', s('string', { optional: true })],
    ['optSet', s('int64', { optional: true })],
    ['list', s('array', { valueSchema: s('int32', { optional: true }) })],
    ['byName', s('map', { keySchema: s('string'), valueSchema: s('int64') })],
    ['byId', s('map', { keySchema: s('int32'), valueSchema: s('string') })],
    ['price', s('bytes', { name: DECIMAL_LOGICAL, version: 1, parameters: { scale: '2' } })],
    ['day', s('int32', { name: DATE_LOGICAL, version: 1 })],
    ['at', s('int32', { name: TIME_LOGICAL, version: 1 })],
    ['ts', s('int64', { name: TIMESTAMP_LOGICAL, version: 1 })],
    ['nested', s('struct', { name: 'acme.Nested', optional: true, fields: fields(['x', s('float64')]) })],
  ),
});

export const ALL_TYPES_VALUE = {
  i8: -128,
  i16: 32767,
  i32: -2147483648,
  i64: 42,
  big: -9223372036854775808n,
  f32: 1.5,
  f64: 0.1,
  flag: true,
  text: 'héllo',
  raw: Buffer.from([0, 1, 254, 255]),
  opt: null,
  optSet: 9007199254740993n,
  list: [1, null, 3],
  byName: new Map<unknown, unknown>([['a', 1], ['b', 2]]),
  byId: new Map<unknown, unknown>([[1, 'one'], [2, 'two']]),
  price: '-12.34',
  day: new Date(Date.UTC(2024, 1, 29)),
  at: new Date(Date.UTC(1970, 0, 1, 13, 14, 15, 16)),
  ts: new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 16)),
  nested: { x: 2.5 },
};
