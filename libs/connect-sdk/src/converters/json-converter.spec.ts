import type { ConnectField, ConnectSchema } from '../record/connect-schema';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '../record/connect-schema';
import { ConverterError } from './converter';
import { JsonConverter } from './json-converter';

const s = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: false, ...extra });
const fields = (...defs: [string, ConnectSchema][]): ConnectField[] => defs.map(([name, schema], index) => ({ name, index, schema }));

const DECIMAL = s('bytes', { name: DECIMAL_LOGICAL, version: 1, parameters: { scale: '2' } });

const ALL_TYPES: ConnectSchema = s('struct', {
  name: 'acme.Everything',
  version: 3,
  doc: 'every type',
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
    ['withDefault', s('int32', { optional: true, defaultValue: 7 })],
    ['list', s('array', { valueSchema: s('int32') })],
    ['byName', s('map', { keySchema: s('string'), valueSchema: s('int64') })],
    ['byId', s('map', { keySchema: s('int32'), valueSchema: s('string') })],
    ['price', DECIMAL],
    ['day', s('int32', { name: DATE_LOGICAL, version: 1 })],
    ['at', s('int32', { name: TIME_LOGICAL, version: 1 })],
    ['ts', s('int64', { name: TIMESTAMP_LOGICAL, version: 1 })],
    ['nested', s('struct', { optional: true, fields: fields(['x', s('float64')]) })],
  ),
});

const ALL_VALUE = {
  i8: -128,
  i16: 32767,
  i32: -2147483648,
  i64: 42,
  big: 9007199254740993n,
  f32: 1.5,
  f64: 2,
  flag: true,
  text: 'héllo "q"',
  raw: Buffer.from([0, 1, 254, 255]),
  opt: null,
  withDefault: null,
  list: [1, 2, 3],
  byName: new Map<unknown, unknown>([['a', 1], ['b', -9223372036854775808n]]),
  byId: new Map<unknown, unknown>([[1, 'one'], [2, 'two']]),
  price: '-12.34',
  day: new Date(Date.UTC(2024, 1, 29)),
  at: new Date(Date.UTC(1970, 0, 1, 13, 14, 15, 16)),
  ts: new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 16)),
  nested: { x: 0.1 },
};

async function converter(config: Record<string, string> = {}, isKey = false): Promise<JsonConverter> {
  const c = new JsonConverter();
  await c.configure(config, isKey);
  return c;
}

describe('JsonConverter with schemas', () => {
  it('writes Kafka golden envelopes', async () => {
    const c = await converter();
    expect((await c.fromConnectData('t', s('boolean'), true))?.toString()).toBe('{"schema":{"type":"boolean","optional":false},"payload":true}');
    expect((await c.fromConnectData('t', DECIMAL, '1.56'))?.toString()).toBe(
      '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}',
    );
    const struct = s('struct', { fields: fields(['id', s('int64')], ['name', s('string', { optional: true })]), name: 'x.Row' });
    expect((await c.fromConnectData('t', struct, { id: 1, name: null }))?.toString()).toBe(
      '{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"}],"optional":false,"name":"x.Row"},"payload":{"id":1,"name":null}}',
    );
    expect((await c.fromConnectData('t', s('map', { keySchema: s('int32'), valueSchema: s('float32'), optional: true }), new Map([[1, 2.5]])))?.toString()).toBe(
      '{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"float","optional":false},"optional":true},"payload":[[1,2.5]]}',
    );
    expect((await c.fromConnectData('t', s('array', { valueSchema: s('float64') }), [1, 0.25]))?.toString()).toBe(
      '{"schema":{"type":"array","items":{"type":"double","optional":false},"optional":false},"payload":[1.0,0.25]}',
    );
    expect((await c.fromConnectData('t', s('int32', { optional: true, defaultValue: 5, doc: 'd' }), null))?.toString()).toBe(
      '{"schema":{"type":"int32","optional":true,"doc":"d","default":5},"payload":5}',
    );
  });

  it('round-trips every type, int64 beyond 2^53 included', async () => {
    const c = await converter();
    const bytes = await c.fromConnectData('t', ALL_TYPES, ALL_VALUE);
    const text = bytes?.toString() ?? '';
    expect(text).toContain('"big":9007199254740993');
    expect(text).toContain('"byId":[[1,"one"],[2,"two"]]');
    expect(text).toContain('"byName":{"a":1,"b":-9223372036854775808}');
    expect(text).toContain('"raw":"AAH+/w=="');
    expect(text).toContain('"price":"+y4="');
    expect(text).toContain('"day":19782');
    expect(text).toContain('"at":47655016');
    expect(text).toContain('"ts":1709212455016');
    expect(text).toContain('"f32":1.5,"f64":2.0');
    const back = await c.toConnectData('t', bytes);
    expect(back.schema).toEqual(ALL_TYPES);
    expect(back.value).toEqual({ ...ALL_VALUE, withDefault: 7 });
    expect((back.value as { big: unknown }).big).toBe(9007199254740993n);
  });

  it('reads equal schemas back as the same object', async () => {
    const c = await converter();
    const a = await c.toConnectData('t', await c.fromConnectData('t', ALL_TYPES, ALL_VALUE));
    const b = await c.toConnectData('t', await c.fromConnectData('t', ALL_TYPES, { ...ALL_VALUE, i64: 1 }));
    expect(a.schema).toBe(b.schema);
  });

  it('supports decimal.format=NUMERIC exactly', async () => {
    const c = await converter({ 'decimal.format': 'numeric' });
    const schema = s('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: '10' } });
    const bytes = await c.fromConnectData('t', schema, '123456789012.3456789000');
    expect(bytes?.toString()).toBe('{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"10"}},"payload":123456789012.3456789000}');
    expect((await c.toConnectData('t', bytes)).value).toBe('123456789012.3456789000');
    expect((await c.toConnectData('t', Buffer.from('{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"3"}},"payload":1.5}'))).value).toBe('1.500');
  });

  it('treats null as a tombstone and nulls with a schema as null payloads', async () => {
    const c = await converter();
    expect(await c.fromConnectData('t', null, null)).toBeNull();
    expect(await c.toConnectData('t', null)).toEqual({ schema: null, value: null });
    expect((await c.fromConnectData('t', s('string', { optional: true }), null))?.toString()).toBe('{"schema":{"type":"string","optional":true},"payload":null}');
    expect((await c.fromConnectData('t', null, { a: 1 }))?.toString()).toBe('{"schema":null,"payload":{"a":1}}');
    expect(await c.toConnectData('t', Buffer.from('{"schema":null,"payload":{"a":1}}'))).toEqual({ schema: null, value: { a: 1 } });
  });

  it('rejects bad data with clear ConverterErrors', async () => {
    const c = await converter();
    const struct = s('struct', { fields: fields(['id', s('int32')]) });
    await expect(c.fromConnectData('t', struct, { id: null })).rejects.toThrow(new ConverterError('Conversion error: null value for field that is required and has no default value at id'));
    await expect(c.fromConnectData('t', struct, { id: 'x' })).rejects.toThrow('Invalid type for INT32 at id: expected an integer but was string');
    await expect(c.fromConnectData('t', s('int8'), 300)).rejects.toThrow('Value 300 out of range for INT8');
    await expect(c.fromConnectData('t', DECIMAL, '1.234')).rejects.toThrow('Decimal value 1.234 has more fractional digits than the scale 2 of its schema');
    await expect(c.fromConnectData('t', s('int32', { name: DATE_LOGICAL }), new Date(1))).rejects.toThrow('Kafka Connect Date type should not have any time fields set to non-zero values');
    await expect(c.toConnectData('t', Buffer.from('{"a":1}'))).rejects.toThrow(/^JsonConverter with schemas.enable requires "schema" and "payload" fields/);
    await expect(c.toConnectData('t', Buffer.from('{nope'))).rejects.toThrow(/^Converting byte\[\] to Kafka Connect data failed due to serialization error: /);
    await expect(c.toConnectData('t', Buffer.from('{"schema":{"type":"int32"},"payload":null}'))).rejects.toThrow('Invalid null value for required INT32 field');
    await expect(c.toConnectData('t', Buffer.from('{"schema":{"type":"uint"},"payload":1}'))).rejects.toThrow('Unknown schema type: uint');
    await expect(c.toConnectData('t', Buffer.from('{"schema":{"type":"struct","fields":[{"type":"int32","field":"a"}]},"payload":{"a":"x"}}'))).rejects.toThrow(
      'Invalid value for INT32 at a: expected an integer but found a JSON string',
    );
    await expect(converter({ 'decimal.format': 'HEX' })).rejects.toThrow(
      'Invalid JsonConverter configuration: Invalid value HEX for configuration decimal.format: String must be one of (case insensitive): BASE64, NUMERIC',
    );
  });
});

describe('JsonConverter without schemas', () => {
  it('writes and reads plain JSON', async () => {
    const c = await converter({ 'schemas.enable': 'false' });
    expect((await c.fromConnectData('t', null, { id: 1, tags: ['a'], big: 12345678901234567890n, m: new Map([[1, 'x']]) }))?.toString()).toBe(
      '{"id":1,"tags":["a"],"big":12345678901234567890,"m":[[1,"x"]]}',
    );
    expect((await c.fromConnectData('t', s('struct', { fields: fields(['a', s('float32')]) }), { a: 0.1 }))?.toString()).toBe('{"a":0.1}');
    const back = await c.toConnectData('t', Buffer.from('{"id": 9223372036854775807, "f": 1.25, "n": null, "o": {"k": [true]}, "s": "x"}'));
    expect(back).toEqual({ schema: null, value: { id: 9223372036854775807n, f: 1.25, n: null, o: { k: [true] }, s: 'x' } });
    expect(await c.toConnectData('t', Buffer.from('3'))).toEqual({ schema: null, value: 3 });
    expect(await c.fromConnectData('t', null, null)).toBeNull();
  });
});
