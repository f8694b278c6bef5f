import { FakeSchemaRegistry } from './testing';
import { SchemaRegistryClient, SchemaRegistryError } from './schema-registry-client';

const USER = '{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}';

describe('SchemaRegistryClient', () => {
  const registry = new FakeSchemaRegistry();
  let client: SchemaRegistryClient;

  beforeAll(() => registry.start());
  afterAll(() => registry.stop());
  beforeEach(() => {
    client = new SchemaRegistryClient({ baseUrl: `${registry.url}/` });
    registry.requests.length = 0;
  });

  it('registers with the registry media type and caches (subject, schema) -> id', async () => {
    const id = await client.register('users-value', USER);
    expect(id).toBe(1);
    expect(registry.requests).toEqual([
      {
        method: 'POST',
        path: '/subjects/users-value/versions',
        contentType: 'application/vnd.schemaregistry.v1+json',
        accept: 'application/vnd.schemaregistry.v1+json, application/json',
        body: { schema: USER },
      },
    ]);
    expect(await client.register('users-value', USER)).toBe(1);
    expect(registry.requests).toHaveLength(1);
    expect(client.requestCount).toBe(1);
  });

  it('shares one in-flight request between concurrent callers', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => client.getSchemaById(1)));
    expect(ids.map((s) => s.schema)).toEqual([USER, USER, USER]);
    expect(registry.requests).toHaveLength(1);
    await client.getSchemaById(1);
    expect(registry.requests).toHaveLength(1);
  });

  it('sends references and encodes subjects', async () => {
    const id = await client.register('a/b value', '{"type":"record","name":"X","fields":[{"name":"u","type":"User"}]}', [
      { name: 'User', subject: 'users-value', version: 1 },
    ]);
    expect(registry.requests[0].path).toBe('/subjects/a%2Fb%20value/versions');
    expect(registry.requests[0].body).toEqual({
      schema: '{"type":"record","name":"X","fields":[{"name":"u","type":"User"}]}',
      references: [{ name: 'User', subject: 'users-value', version: 1 }],
    });
    const fetched = await client.getSchemaById(id);
    expect(fetched.references).toEqual([{ name: 'User', subject: 'users-value', version: 1 }]);
    expect(fetched.schemaType).toBe('AVRO');
  });

  it('reads versions (cached) and latest (not cached)', async () => {
    const v1 = await client.getSchemaByVersion('users-value', 1);
    expect(v1).toMatchObject({ subject: 'users-value', version: 1, id: 1, schema: USER });
    await client.getSchemaByVersion('users-value', 1);
    await client.getLatestSchema('users-value');
    await client.getLatestSchema('users-value');
    expect(registry.requests.map((r) => r.path)).toEqual([
      '/subjects/users-value/versions/1',
      '/subjects/users-value/versions/latest',
      '/subjects/users-value/versions/latest',
    ]);
  });

  it('looks up without registering', async () => {
    expect(await client.lookupSchema('users-value', USER)).toBe(1);
    expect(registry.requests[0]).toMatchObject({ method: 'POST', path: '/subjects/users-value' });
    await expect(client.lookupSchema('users-value', '"string"')).rejects.toMatchObject({ status: 404, errorCode: 40403 });
  });

  it('surfaces error_code and status, and does not cache failures', async () => {
    const err = await client.getSchemaById(999).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRegistryError);
    expect(err).toMatchObject({ status: 404, errorCode: 40403 });
    expect((err as Error).message).toBe('Schema registry GET /schemas/ids/999 failed with HTTP 404 (error code 40403): Schema not found');

    await expect(client.register('x', 'not json')).rejects.toMatchObject({ status: 422, errorCode: 42201 });

    registry.failNext = 1;
    await expect(client.getSchemaById(1)).rejects.toMatchObject({ status: 500, errorCode: 50001 });
    expect((await client.getSchemaById(1)).schema).toBe(USER);
  });

  it('reports connection failures with status 0', async () => {
    const dead = new SchemaRegistryClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    await expect(dead.getSchemaById(1)).rejects.toMatchObject({ name: 'SchemaRegistryError', status: 0, errorCode: undefined });
  });

  it('fails over to the next registry when one does not answer or answers 5xx, and stays on the one that answered', async () => {
    const multi = new SchemaRegistryClient({ baseUrl: 'http://127.0.0.1:1', fallbackUrls: [registry.url], timeoutMs: 2000 });
    const id = await multi.register('failover-value', USER);
    expect(multi.requestCount).toBe(2);
    expect((await multi.getSchemaById(id)).schema).toBe(USER);
    // the dead one is not asked again first
    expect(multi.requestCount).toBe(3);

    const back = new SchemaRegistryClient({ baseUrl: registry.url, fallbackUrls: ['http://127.0.0.1:1'], timeoutMs: 2000 });
    registry.failNext = 1;
    // the first answers 500, the second does not answer: the last error is thrown
    await expect(back.getSchemaById(id)).rejects.toMatchObject({ status: 0 });
    // a 4xx is an answer: no failover (one request, to the first registry, still the current one)
    await expect(back.register('x', 'not json')).rejects.toMatchObject({ status: 422 });
    expect(back.requestCount).toBe(3);
  });
});
