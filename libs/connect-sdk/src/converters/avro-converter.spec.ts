import { FakeSchemaRegistry } from '@millrace/schema-serde/testing';
import { SchemaRegistryClient, SchemaRegistryError } from '@millrace/schema-serde';
import type { ConnectField, ConnectSchema } from '../record/connect-schema';
import { ALL_TYPES_SCHEMA, ALL_TYPES_VALUE } from './__fixtures__/all-types';
import { AvroConverter } from './avro-converter';
import { ConverterError, NEEDS_ASYNC } from './converter';

const s = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: false, ...extra });
const fields = (...defs: [string, ConnectSchema][]): ConnectField[] => defs.map(([name, schema], index) => ({ name, index, schema }));

describe('AvroConverter (fake registry)', () => {
  const registry = new FakeSchemaRegistry();
  let clients: SchemaRegistryClient[];

  beforeAll(() => registry.start());
  afterAll(() => registry.stop());
  beforeEach(() => {
    clients = [];
    registry.requests.length = 0;
  });

  function converter(config: Record<string, string> = {}, isKey = false): AvroConverter {
    const c = new AvroConverter({
      clientFactory: (opts) => {
        const client = new SchemaRegistryClient(opts);
        clients.push(client);
        return client;
      },
    });
    c.configure({ 'schema.registry.url': registry.url, ...config }, isKey);
    return c;
  }

  it('round-trips every Connect type and registers under <topic>-value', async () => {
    const producer = converter();
    const bytes = await producer.fromConnectData('orders', ALL_TYPES_SCHEMA, ALL_TYPES_VALUE);
    expect(bytes?.[0]).toBe(0);
    expect(registry.requests[0]).toMatchObject({ method: 'POST', path: '/subjects/orders-value/versions', body: { schema: producer.avroSchemaText(ALL_TYPES_SCHEMA) } });
    const consumer = converter();
    const back = await consumer.toConnectData('orders', bytes);
    expect(back.schema).toEqual(ALL_TYPES_SCHEMA);
    expect(back.value).toEqual(ALL_TYPES_VALUE);
  });

  it('synchronous paths: NEEDS_ASYNC until the schema is resolved, then the same bytes and values as the async methods', async () => {
    const producer = converter();
    const consumer = converter();
    expect(producer.fromConnectDataSync('sync', ALL_TYPES_SCHEMA, ALL_TYPES_VALUE)).toBe(NEEDS_ASYNC);
    expect(producer.fromConnectDataSync('sync', ALL_TYPES_SCHEMA, null)).toBeNull();
    const bytes = await producer.fromConnectData('sync', ALL_TYPES_SCHEMA, ALL_TYPES_VALUE);
    expect(producer.fromConnectDataSync('sync', ALL_TYPES_SCHEMA, ALL_TYPES_VALUE)).toEqual(bytes);
    expect(producer.fromConnectDataSync('other-topic', ALL_TYPES_SCHEMA, ALL_TYPES_VALUE)).toBe(NEEDS_ASYNC);
    expect(consumer.toConnectDataSync('sync', bytes)).toBe(NEEDS_ASYNC);
    const viaAsync = await consumer.toConnectData('sync', bytes);
    expect(consumer.toConnectDataSync('sync', bytes)).toEqual(viaAsync);
    expect(consumer.toConnectDataSync('sync', null)).toEqual({ schema: null, value: null });
    expect(consumer.toConnectDataSync('sync', Buffer.from([1, 2, 3]))).toBe(NEEDS_ASYNC);
    expect(() => producer.fromConnectDataSync('sync', ALL_TYPES_SCHEMA, { ...ALL_TYPES_VALUE, i32: 'not a number' })).toThrow();
  });

  it('row-shaped schemas: the direct path frames the registered id, round-trips, refuses bad values with a ConverterError and keeps topics apart', async () => {
    const row: ConnectSchema = {
      type: 'struct',
      optional: false,
      name: 'shop.rows',
      fields: [
        { name: 'id', index: 0, schema: { type: 'int64', optional: false } },
        { name: 'amount', index: 1, schema: { type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2' } } },
        { name: 'note', index: 2, schema: { type: 'string', optional: true } },
      ],
    };
    const producer = converter();
    const consumer = converter();
    const first = await producer.fromConnectData('rows', row, { id: 1, amount: '-12.50', note: 'héllo' });
    const values = [{ id: 2, amount: null, note: null }, { id: 2 ** 40, amount: '99999999.99', note: 'x'.repeat(100) }];
    for (const value of values) {
      const bytes = producer.fromConnectDataSync('rows', row, value) as Buffer;
      expect(bytes.readInt32BE(1)).toBe(first?.readInt32BE(1));
      expect((await consumer.toConnectData('rows', bytes)).value).toEqual(value);
    }
    expect(() => producer.fromConnectDataSync('rows', row, { id: 'one', amount: null, note: null })).toThrow(ConverterError);
    expect(() => producer.fromConnectDataSync('rows', row, { id: 3, amount: '1.234', note: null })).toThrow(ConverterError);
    expect(producer.fromConnectDataSync('other-rows', row, values[0])).toBe(NEEDS_ASYNC);
    expect((await consumer.toConnectData('rows', producer.fromConnectDataSync('rows', row, values[1]) as Buffer)).value).toEqual(values[1]);
  });

  it('uses <topic>-key for keys and passes tombstones through', async () => {
    const c = converter({}, true);
    await c.fromConnectData('t', s('string'), 'k');
    expect(registry.requests.map((r) => r.path)).toEqual(['/subjects/t-key/versions']);
    expect(await c.fromConnectData('t', s('string', { optional: true }), null)).toBeNull();
    expect(await c.toConnectData('t', null)).toEqual({ schema: null, value: null });
  });

  it('makes no HTTP calls on the hot path after warm-up', async () => {
    const producer = converter();
    const consumer = converter();
    const first = await producer.fromConnectData('hot', ALL_TYPES_SCHEMA, ALL_TYPES_VALUE);
    await consumer.toConnectData('hot', first);
    const before = registry.requests.length;
    for (let i = 0; i < 200; i++) {
      const bytes = await producer.fromConnectData('hot', ALL_TYPES_SCHEMA, { ...ALL_TYPES_VALUE, i64: i });
      const back = await consumer.toConnectData('hot', bytes);
      expect((back.value as { i64: number }).i64).toBe(i);
    }
    expect(registry.requests.length).toBe(before);
    const a = await consumer.toConnectData('hot', first);
    const b = await consumer.toConnectData('hot', first);
    expect(a.schema).toBe(b.schema);
  });

  it('looks schemas up only when auto.register.schemas=false, and honours use.latest.version', async () => {
    const strict = converter({ 'auto.register.schemas': 'false' });
    await expect(strict.fromConnectData('never-registered', s('string'), 'x')).rejects.toThrow(ConverterError);
    const registering = converter();
    const v1 = s('struct', { name: 'acme.U', fields: fields(['a', s('int32')]) });
    await registering.fromConnectData('latest', v1, { a: 1 });
    await expect(strict.fromConnectData('latest', v1, { a: 2 })).resolves.toBeInstanceOf(Buffer);
    const latest = converter({ 'use.latest.version': 'true' });
    const same = s('struct', { name: 'acme.U', fields: fields(['a', s('int32')]) });
    const bytes = await latest.fromConnectData('latest', same, { a: 3 });
    expect(registry.requests.filter((r) => r.path === '/subjects/latest-value/versions/latest')).toHaveLength(1);
    expect((await converter().toConnectData('latest', bytes)).value).toEqual({ a: 3 });
  });

  it('reports bad data and foreign bytes as ConverterErrors', async () => {
    const c = converter();
    await expect(c.fromConnectData('t', ALL_TYPES_SCHEMA, { ...ALL_TYPES_VALUE, i8: 1000 })).rejects.toThrow(new ConverterError('Value 1000 out of range for INT8 at i8'));
    await expect(c.fromConnectData('t', ALL_TYPES_SCHEMA, { ...ALL_TYPES_VALUE, text: null })).rejects.toThrow('Found null value for non-optional schema at text');
    await expect(c.fromConnectData('t', null, { a: 1 })).rejects.toThrow(/AvroConverter needs a schema/);
    await expect(c.toConnectData('t', Buffer.from('{"json":1}'))).rejects.toThrow(/^Failed to deserialize Avro data: Unknown magic byte 0x7b/);
    await expect(c.toConnectData('t', Buffer.from([0, 0, 0, 0x30, 0x39, 0]))).rejects.toThrow(ConverterError);
  });

  it('rethrows registry unavailability as is', async () => {
    const c = new AvroConverter();
    c.configure({ 'schema.registry.url': 'http://127.0.0.1:1' }, false);
    await expect(c.fromConnectData('t', s('string'), 'x')).rejects.toBeInstanceOf(SchemaRegistryError);
  });

  it('validates its settings', () => {
    expect(() => new AvroConverter().configure({}, false)).toThrow('Invalid AvroConverter configuration: Missing required configuration "schema.registry.url" which has no default value.');
    expect(() => new AvroConverter().configure({ 'schema.registry.url': 'localhost:8081' }, false)).toThrow(
      'Invalid AvroConverter configuration: Invalid value localhost:8081 for configuration schema.registry.url: Value must be a URL such as http://host:port',
    );
  });

  it('sends basic auth when configured', async () => {
    const seen: string[] = [];
    const spy: typeof fetch = (url, init) => {
      seen.push(String((init?.headers as Record<string, string>)?.Authorization));
      return fetch(url, init);
    };
    const c = new AvroConverter({ clientFactory: (opts) => new SchemaRegistryClient({ ...opts, fetch: spy }) });
    c.configure({ 'schema.registry.url': registry.url, 'basic.auth.user.info': 'u:p' }, false);
    await c.fromConnectData('auth', s('string'), 'x');
    expect(seen).toEqual([`Basic ${Buffer.from('u:p').toString('base64')}`]);
  });
});
