import * as avro from 'avsc';
import type { ConnectField, ConnectSchema } from '../record/connect-schema';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '../record/connect-schema';
import { connectToAvroSchema } from './avro-schema-mapping';
import { avroToConnectSchema } from './avro-to-connect-schema';

const s = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: false, ...extra });
const fields = (...defs: [string, ConnectSchema][]): ConnectField[] => defs.map(([name, schema], index) => ({ name, index, schema }));

describe('Connect -> Avro schema (Confluent AvroData text)', () => {
  it('maps primitives and logical types like Confluent', () => {
    const text = (schema: ConnectSchema): string => JSON.stringify(connectToAvroSchema(schema));
    expect(text(s('int8'))).toBe('{"type":"int","connect.type":"int8"}');
    expect(text(s('int16'))).toBe('{"type":"int","connect.type":"int16"}');
    expect(text(s('int32'))).toBe('"int"');
    expect(text(s('int64', { optional: true }))).toBe('["null","long"]');
    expect(text(s('float32'))).toBe('"float"');
    expect(text(s('string', { name: 'x.Name' }))).toBe('{"type":"string","connect.name":"x.Name"}');
    expect(text(s('bytes', { name: DECIMAL_LOGICAL, version: 1, parameters: { scale: '2', 'connect.decimal.precision': '5' } }))).toBe(
      '{"type":"bytes","scale":2,"precision":5,"connect.version":1,"connect.parameters":{"scale":"2","connect.decimal.precision":"5"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}',
    );
    expect(text(s('bytes', { name: DECIMAL_LOGICAL, version: 1, parameters: { scale: '0' } }))).toBe(
      '{"type":"bytes","scale":0,"precision":64,"connect.version":1,"connect.parameters":{"scale":"0"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}',
    );
    expect(text(s('int32', { name: DATE_LOGICAL, version: 1 }))).toBe('{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}');
    expect(text(s('int32', { name: TIME_LOGICAL, version: 1 }))).toBe('{"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Time","logicalType":"time-millis"}');
    expect(text(s('int64', { name: TIMESTAMP_LOGICAL, version: 1 }))).toBe(
      '{"type":"long","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"}',
    );
  });

  it('maps structs, optional fields, maps and repeated structs', () => {
    const address = s('struct', { name: 'acme.Address', fields: fields(['city', s('string')]) });
    const order = s('struct', {
      name: 'acme.sales.Order',
      version: 2,
      doc: 'An order',
      fields: fields(
        ['id', s('int64')],
        ['note', s('string', { optional: true })],
        ['qty', s('int32', { optional: true, defaultValue: 1 })],
        ['ship', address],
        ['bill', s('struct', { name: 'acme.Address', fields: fields(['city', s('string')]), optional: true })],
        ['tags', s('map', { keySchema: s('string'), valueSchema: s('string') })],
        ['counts', s('map', { keySchema: s('int32'), valueSchema: s('int64') })],
        ['anon', s('struct', { fields: fields(['a', s('boolean')]) })],
      ),
    });
    expect(connectToAvroSchema(order)).toEqual({
      type: 'record',
      name: 'Order',
      namespace: 'acme.sales',
      doc: 'An order',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'note', type: ['null', 'string'], default: null },
        { name: 'qty', type: ['int', 'null'], default: 1 },
        { name: 'ship', type: { type: 'record', name: 'Address', namespace: 'acme', fields: [{ name: 'city', type: 'string' }], 'connect.name': 'acme.Address' } },
        { name: 'bill', type: ['null', 'acme.Address'], default: null },
        { name: 'tags', type: { type: 'map', values: 'string' } },
        {
          name: 'counts',
          type: { type: 'array', items: { type: 'record', name: 'MapEntry', namespace: 'io.confluent.connect.avro', fields: [{ name: 'key', type: 'int' }, { name: 'value', type: 'long' }] } },
        },
        { name: 'anon', type: { type: 'record', name: 'ConnectDefault', namespace: 'io.confluent.connect.avro', fields: [{ name: 'a', type: 'boolean' }] } },
      ],
      'connect.version': 2,
      'connect.name': 'acme.sales.Order',
    });
    expect(() => avro.Type.forSchema(connectToAvroSchema(order) as avro.Schema)).not.toThrow();
  });

  it('writes namespaces and references like Avro Java (relative to the enclosing record)', () => {
    const inner = s('struct', { name: 'acme.Inner', fields: fields(['v', s('int32')]) });
    const outer = s('struct', {
      name: 'acme.Outer',
      fields: fields(['a', inner], ['b', { ...inner, optional: true }], ['c', s('struct', { name: 'Plain', fields: fields(['w', s('string')]) })]),
    });
    const text = JSON.stringify(connectToAvroSchema(outer));
    expect(text).toBe(
      '{"type":"record","name":"Outer","namespace":"acme","fields":[' +
        '{"name":"a","type":{"type":"record","name":"Inner","fields":[{"name":"v","type":"int"}],"connect.name":"acme.Inner"}},' +
        '{"name":"b","type":["null","Inner"],"default":null},' +
        '{"name":"c","type":{"type":"record","name":"Plain","namespace":"","fields":[{"name":"w","type":"string"}],"connect.name":"Plain"}}' +
        '],"connect.name":"acme.Outer"}',
    );
    const back = avroToConnectSchema(JSON.parse(text));
    expect(back).toEqual(outer);
    const type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
    expect(type.isValid({ a: { v: 1 }, b: null, c: { w: 'x' } })).toBe(true);
  });

  it('round-trips schemas through Avro', () => {
    const schema = s('struct', {
      name: 'db.server.inventory.customers.Value',
      fields: fields(
        ['i8', s('int8')],
        ['i16', s('int16', { optional: true })],
        ['price', s('bytes', { name: DECIMAL_LOGICAL, version: 1, parameters: { scale: '2' }, optional: true })],
        ['day', s('int32', { name: DATE_LOGICAL, version: 1 })],
        ['list', s('array', { valueSchema: s('float64', { optional: true }) })],
        ['m', s('map', { keySchema: s('int64'), valueSchema: s('string') })],
        ['meta', s('string', { doc: 'metadata', version: 3, parameters: { a: 'b' } })],
        ['n', s('struct', { fields: fields(['x', s('int32')]), optional: true })],
      ),
    });
    const back = avroToConnectSchema(JSON.parse(JSON.stringify(connectToAvroSchema(schema))));
    expect(back).toEqual(schema);
  });

  it('reads plain Avro (enum, fixed, map, named references)', () => {
    const back = avroToConnectSchema({
      type: 'record',
      name: 'T',
      namespace: 'n',
      fields: [
        { name: 'e', type: { type: 'enum', name: 'Color', symbols: ['RED', 'BLUE'] } },
        { name: 'f', type: { type: 'fixed', name: 'Hash', size: 4 } },
        { name: 'm', type: { type: 'map', values: 'int' } },
        { name: 'again', type: 'Color' },
        { name: 'd', type: 'double', default: 1.5 },
      ],
    });
    expect(back.name).toBe('n.T');
    const byName = Object.fromEntries((back.fields ?? []).map((f) => [f.name, f.schema]));
    expect(byName.e).toEqual({ type: 'string', optional: false, name: 'n.Color', parameters: { 'io.confluent.connect.avro.Enum': 'n.Color', 'io.confluent.connect.avro.Enum.RED': 'RED', 'io.confluent.connect.avro.Enum.BLUE': 'BLUE' } });
    expect(byName.f).toEqual({ type: 'bytes', optional: false, name: 'n.Hash', parameters: { 'connect.fixed.size': '4' } });
    expect(byName.m).toEqual({ type: 'map', optional: false, keySchema: { type: 'string', optional: false }, valueSchema: { type: 'int32', optional: false } });
    expect(byName.again).toBe(byName.e);
    expect(byName.d).toEqual({ type: 'float64', optional: false, defaultValue: 1.5 });
    expect(() => avroToConnectSchema(['int', 'string'])).toThrow('only unions of null and one type map to Connect');
  });
});
