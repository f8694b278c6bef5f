import { FakeSchemaRegistry } from './testing';
import { AvroSerde } from './avro-serde';
import { SchemaRegistryClient, SchemaRegistryError } from './schema-registry-client';
import { DeserializationError, SerializationError } from './serde-errors';
import { WireFormatError } from './wire-format';

const USER_V1 = { type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int' }] };
const USER_V2 = {
  type: 'record',
  name: 'User',
  namespace: 'acme',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'long' },
    { name: 'email', type: ['null', 'string'], default: null },
  ],
};

describe('AvroSerde', () => {
  const registry = new FakeSchemaRegistry();
  let client: SchemaRegistryClient;
  let serde: AvroSerde;

  beforeAll(() => registry.start());
  afterAll(() => registry.stop());
  beforeEach(() => {
    client = new SchemaRegistryClient({ baseUrl: registry.url });
    serde = new AvroSerde({ client });
  });

  it('writes exact wire bytes: 0x00, big-endian id, Avro binary', async () => {
    const bytes = await serde.serialize('users-value', USER_V1, { name: 'Al', age: 3 });
    // "Al" = zigzag len 2 -> 0x04, 'A', 'l'; age 3 -> zigzag 6
    expect([...bytes]).toEqual([0x00, 0, 0, 0, 1, 0x04, 0x41, 0x6c, 0x06]);
    expect(await serde.deserialize(bytes)).toEqual({ name: 'Al', age: 3 });
  });

  it('does no HTTP on the hot path after warm-up', async () => {
    const first = await serde.serialize('users-value', USER_V1, { name: 'a', age: 1 });
    await serde.deserialize(first);
    const before = client.requestCount;
    expect(before).toBe(1); // register only: the id -> type cache is filled by serialize
    const text = JSON.stringify(USER_V1);
    for (let i = 0; i < 1000; i++) {
      const buf = await serde.serialize('users-value', i % 2 ? USER_V1 : text, { name: `n${i}`, age: i });
      expect(await serde.deserialize(buf)).toEqual({ name: `n${i}`, age: i });
    }
    expect(client.requestCount).toBe(before);
  });

  it('a consumer-side serde fetches the writer schema once per id', async () => {
    const buf = await serde.serialize('users-value', USER_V1, { name: 'x', age: 9 });
    const consumerClient = new SchemaRegistryClient({ baseUrl: registry.url });
    const consumer = new AvroSerde({ client: consumerClient });
    const values = await Promise.all([1, 2, 3].map(() => consumer.deserialize(buf)));
    expect(values).toEqual([{ name: 'x', age: 9 }, { name: 'x', age: 9 }, { name: 'x', age: 9 }]);
    await consumer.deserialize(buf);
    expect(consumerClient.requestCount).toBe(1);
  });

  it('decodes into a reader schema via Avro resolution (promotion + default)', async () => {
    const buf = await serde.serialize('users-value', USER_V1, { name: 'r', age: 40 });
    const consumer = new AvroSerde({ client: new SchemaRegistryClient({ baseUrl: registry.url }) });
    expect(await consumer.deserialize(buf, { readerSchema: USER_V2 })).toEqual({ name: 'r', age: 40, email: null });
    const incompatible = { type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'zip', type: 'int' }] };
    await expect(consumer.deserialize(buf, { readerSchema: incompatible })).rejects.toThrow(DeserializationError);
  });

  it('gives a clear error when the value does not match the schema', async () => {
    const err = await serde.serialize('users-value', USER_V1, { name: 'a', age: 'old' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerializationError);
    expect((err as Error).message).toBe(`Value does not match the schema registered as id 1 for subject 'users-value': age: "old" is not a valid int`);
  });

  it('rejects foreign bytes and unknown ids clearly', async () => {
    await expect(serde.deserialize(Buffer.from('{"json":true}'))).rejects.toThrow(WireFormatError);
    await expect(serde.deserialize(Buffer.from([0, 0, 0, 0x30, 0x39, 0]))).rejects.toMatchObject({ name: 'SchemaRegistryError', errorCode: 40403 });
    const truncated = (await serde.serialize('users-value', USER_V1, { name: 'abc', age: 1 })).subarray(0, 7);
    await expect(serde.deserialize(truncated)).rejects.toThrow(/Cannot decode Avro data written with schema id 1/);
  });

  it('looks schemas up instead of registering when autoRegister is false', async () => {
    const strict = new AvroSerde({ client, autoRegister: false });
    await expect(strict.serialize('users-value', USER_V1, { name: 'a', age: 1 })).resolves.toBeInstanceOf(Buffer);
    const err = await strict.serialize('unknown-subject', USER_V1, { name: 'a', age: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRegistryError);
    expect(err).toMatchObject({ errorCode: 40401 });
  });

  it('handles schema references (referenced type fetched by subject and version)', async () => {
    const address = { type: 'record', name: 'Address', namespace: 'acme', fields: [{ name: 'city', type: 'string' }] };
    await client.register('address-value', JSON.stringify(address));
    const person = { type: 'record', name: 'Person', namespace: 'acme', fields: [{ name: 'home', type: 'acme.Address' }] };
    const refs = [{ name: 'acme.Address', subject: 'address-value', version: 1 }];
    const buf = await serde.serialize('person-value', person, { home: { city: 'Lyon' } }, { references: refs });
    const consumerClient = new SchemaRegistryClient({ baseUrl: registry.url });
    const consumer = new AvroSerde({ client: consumerClient });
    expect(await consumer.deserialize(buf)).toEqual({ home: { city: 'Lyon' } });
    expect(consumerClient.requestCount).toBe(2); // schema by id + referenced version
  });
});
