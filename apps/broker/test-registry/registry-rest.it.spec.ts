import { useRegistryBroker } from './registry-fixture';
import { recordSchema, RegistryHttp, SR_V1_JSON } from './registry-http';

/**
 * The registry's REST API against a real broker process: every endpoint with its success
 * answer and each Confluent status / error code it can give.
 */
describe('schema registry REST API', () => {
  let sr: RegistryHttp;

  const userV1 = recordSchema('User', ['name']);
  const userV2 = recordSchema('User', ['name', 'email']);
  const userIncompatible = { type: 'record', name: 'User', namespace: 'com.example', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int' }] };
  const err = (code: number) => expect.objectContaining({ error_code: code, message: expect.any(String) });

  useRegistryBroker((env) => {
    ({ sr } = env);
  });

  describe('root, types and media types', () => {
    it('GET / answers {} and /schemas/types only AVRO', async () => {
      expect(await sr.get('/')).toMatchObject({ status: 200, body: {} });
      expect(await sr.get('/schemas/types')).toMatchObject({ status: 200, body: ['AVRO'] });
    });

    it('answers with the v1 media type, or plain JSON when only that is accepted', async () => {
      expect((await sr.get('/subjects')).contentType).toContain(SR_V1_JSON);
      expect((await sr.get('/subjects', { accept: 'application/json' })).contentType).toContain('application/json');
    });

    it.each([SR_V1_JSON, 'application/vnd.schemaregistry+json', 'application/json', 'application/octet-stream', null])('accepts request bodies of type %s', async (contentType) => {
      const res = await sr.post('/subjects/media-value/versions', { schema: JSON.stringify(userV1) }, { contentType });
      expect(res).toMatchObject({ status: 200, body: { id: expect.any(Number) } });
    });

    it('refuses other media types with 415 and malformed JSON with 400', async () => {
      expect(await sr.post('/subjects/media-value/versions', { schema: '"string"' }, { contentType: 'text/plain' })).toMatchObject({ status: 415, body: err(415) });
      expect(await sr.post('/subjects/media-value/versions', undefined, { rawBody: '{"schema": ' })).toMatchObject({ status: 400, body: err(400) });
    });
  });

  describe('registration and versions', () => {
    let id1: number;
    let id2: number;

    it('registers versions, reusing the id of an identical schema under any subject', async () => {
      id1 = await sr.register('orders-value', userV1);
      expect(await sr.register('orders-value', userV1)).toBe(id1);
      expect(await sr.register('orders-copy-value', userV1)).toBe(id1);
      id2 = await sr.register('orders-value', userV2);
      expect(id2).toBeGreaterThan(id1);
      expect(await sr.get('/subjects/orders-value/versions')).toMatchObject({ status: 200, body: [1, 2] });
      expect(await sr.get('/subjects/orders-copy-value/versions')).toMatchObject({ status: 200, body: [1] });
    });

    it('re-registering an older version returns its id without a new version', async () => {
      expect(await sr.register('orders-value', userV1)).toBe(id1);
      expect((await sr.get('/subjects/orders-value/versions')).body).toEqual([1, 2]);
    });

    it('lists subjects, with subjectPrefix', async () => {
      const all = await sr.get<string[]>('/subjects');
      expect(all.status).toBe(200);
      expect(all.body).toEqual(expect.arrayContaining(['orders-value', 'orders-copy-value']));
      expect((await sr.get('/subjects?subjectPrefix=orders-c')).body).toEqual(['orders-copy-value']);
    });

    it('gets versions by number, latest and -1, and the raw schema', async () => {
      const v1 = await sr.get('/subjects/orders-value/versions/1');
      expect(v1).toMatchObject({ status: 200, body: { subject: 'orders-value', version: 1, id: id1, schema: JSON.stringify(userV1) } });
      expect((v1.body as Record<string, unknown>).schemaType).toBeUndefined();
      expect(await sr.get('/subjects/orders-value/versions/latest')).toMatchObject({ status: 200, body: { version: 2, id: id2 } });
      expect(await sr.get('/subjects/orders-value/versions/-1')).toMatchObject({ status: 200, body: { version: 2 } });
      const raw = await sr.get('/subjects/orders-value/versions/2/schema');
      expect(raw.status).toBe(200);
      expect(raw.body).toEqual(userV2);
    });

    it('404 40401 for an unknown subject, 40402 for an unknown version, 422 42202 for an invalid one', async () => {
      expect(await sr.get('/subjects/nope/versions')).toMatchObject({ status: 404, body: err(40401) });
      expect(await sr.get('/subjects/nope/versions/1')).toMatchObject({ status: 404, body: err(40401) });
      expect(await sr.get('/subjects/orders-value/versions/9')).toMatchObject({ status: 404, body: err(40402) });
      expect(await sr.get('/subjects/orders-value/versions/0')).toMatchObject({ status: 422, body: err(42202) });
      expect(await sr.get('/subjects/orders-value/versions/abc')).toMatchObject({ status: 422, body: err(42202) });
      expect(await sr.get('/subjects/orders-value/versions/abc/schema')).toMatchObject({ status: 422, body: err(42202) });
    });

    it('looks a schema up under a subject (POST /subjects/{s})', async () => {
      expect(await sr.post('/subjects/orders-value', { schema: JSON.stringify(userV2) })).toMatchObject({ status: 200, body: { subject: 'orders-value', version: 2, id: id2 } });
      expect(await sr.post('/subjects/orders-value', { schema: JSON.stringify(recordSchema('Other', ['x'])) })).toMatchObject({ status: 404, body: err(40403) });
      expect(await sr.post('/subjects/nope', { schema: JSON.stringify(userV1) })).toMatchObject({ status: 404, body: err(40401) });
      expect(await sr.post('/subjects/orders-value', { schema: '{"type":"nonsense"}' })).toMatchObject({ status: 422, body: err(42201) });
    });

    it('refuses invalid schemas (42201), other schema types (42201, only AVRO) and incompatible ones (409)', async () => {
      expect(await sr.post('/subjects/bad-value/versions', { schema: '{"type":"record","name":"X"}' })).toMatchObject({ status: 422, body: err(42201) });
      expect(await sr.post('/subjects/bad-value/versions', { schema: 'not json' })).toMatchObject({ status: 422, body: err(42201) });
      expect(await sr.post('/subjects/bad-value/versions', { nothing: true })).toMatchObject({ status: 422, body: err(42201) });
      for (const schemaType of ['JSON', 'PROTOBUF']) {
        const res = await sr.post<{ message: string }>('/subjects/bad-value/versions', { schemaType, schema: '{"type":"object"}' });
        expect(res).toMatchObject({ status: 422, body: err(42201) });
        expect(res.body.message).toMatch(/only AVRO/);
      }
      const incompatible = await sr.post<{ message: string }>('/subjects/orders-value/versions', { schema: JSON.stringify(userIncompatible) });
      expect(incompatible).toMatchObject({ status: 409, body: err(409) });
      expect(incompatible.body.message).toMatch(/incompatible/);
      expect(await sr.get('/subjects/bad-value/versions')).toMatchObject({ status: 404, body: err(40401) });
    });

    it('422 42208 for an invalid subject name', async () => {
      expect(await sr.post('/subjects/%01bad/versions', { schema: '"string"' })).toMatchObject({ status: 422, body: err(42208) });
    });
  });

  describe('schemas by id', () => {
    let id: number;
    beforeAll(async () => {
      id = await sr.register('ids-a', recordSchema('ById', ['a']));
      await sr.register('ids-b', recordSchema('ById', ['a']));
    });

    it('gets a schema by id, with fetchMaxId, and its raw text', async () => {
      expect(await sr.get(`/schemas/ids/${id}`)).toMatchObject({ status: 200, body: { schema: JSON.stringify(recordSchema('ById', ['a'])) } });
      const withMax = await sr.get<{ maxId: number }>(`/schemas/ids/${id}?fetchMaxId=true`);
      expect(withMax.body.maxId).toBeGreaterThanOrEqual(id);
      expect((await sr.get(`/schemas/ids/${id}/schema`)).body).toEqual(recordSchema('ById', ['a']));
    });

    it('lists the subjects and versions carrying an id', async () => {
      expect(await sr.get(`/schemas/ids/${id}/subjects`)).toMatchObject({ status: 200, body: ['ids-a', 'ids-b'] });
      expect(await sr.get(`/schemas/ids/${id}/versions`)).toMatchObject({
        status: 200,
        body: [
          { subject: 'ids-a', version: 1 },
          { subject: 'ids-b', version: 1 },
        ],
      });
    });

    it('404 40403 for unknown ids', async () => {
      for (const path of ['/schemas/ids/99999', '/schemas/ids/99999/schema', '/schemas/ids/99999/subjects', '/schemas/ids/99999/versions', '/schemas/ids/abc']) {
        expect(await sr.get(path)).toMatchObject({ status: 404, body: err(40403) });
      }
    });

    it('lists schemas (GET /schemas) with subjectPrefix and latestOnly', async () => {
      const res = await sr.get<{ subject: string }[]>('/schemas?subjectPrefix=ids-&latestOnly=true');
      expect(res.status).toBe(200);
      expect(res.body.map((s) => s.subject)).toEqual(['ids-a', 'ids-b']);
    });
  });

  describe('config', () => {
    it('global config: default BACKWARD, update, invalid level 42203, delete back to default', async () => {
      expect(await sr.get('/config')).toMatchObject({ status: 200, body: { compatibilityLevel: 'BACKWARD' } });
      expect(await sr.put('/config', { compatibility: 'full' })).toMatchObject({ status: 200, body: { compatibility: 'FULL' } });
      expect(await sr.get('/config')).toMatchObject({ body: { compatibilityLevel: 'FULL' } });
      expect(await sr.put('/config', { compatibility: 'SIDEWAYS' })).toMatchObject({ status: 422, body: err(42203) });
      expect(await sr.put('/config', {})).toMatchObject({ status: 422, body: err(42203) });
      expect(await sr.delete('/config')).toMatchObject({ status: 200, body: { compatibilityLevel: 'FULL' } });
      expect(await sr.get('/config')).toMatchObject({ body: { compatibilityLevel: 'BACKWARD' } });
    });

    it('subject config: 404 40408 without one (unless defaultToGlobal), set, applies, delete', async () => {
      await sr.register('cfg-value', userV1);
      expect(await sr.get('/config/cfg-value')).toMatchObject({ status: 404, body: err(40408) });
      expect(await sr.get('/config/cfg-value?defaultToGlobal=true')).toMatchObject({ status: 200, body: { compatibilityLevel: 'BACKWARD' } });
      expect(await sr.put('/config/cfg-value', { compatibility: 'NONE' })).toMatchObject({ status: 200, body: { compatibility: 'NONE' } });
      expect(await sr.get('/config/cfg-value')).toMatchObject({ status: 200, body: { compatibilityLevel: 'NONE' } });
      expect(await sr.register('cfg-value', userIncompatible)).toEqual(expect.any(Number));
      expect(await sr.delete('/config/cfg-value')).toMatchObject({ status: 200, body: { compatibilityLevel: 'NONE' } });
      expect(await sr.delete('/config/cfg-value')).toMatchObject({ status: 404, body: err(40408) });
      expect(await sr.delete('/config/no-such-subject')).toMatchObject({ status: 404, body: err(40401) });
      expect(await sr.put('/config/cfg-value', { compatibility: 42 })).toMatchObject({ status: 422, body: err(42203) });
    });

    it('normalize (query flag or config) gives equivalent schemas one id', async () => {
      const a = { type: 'record', name: 'Norm', b: 'x', a: 'y', fields: [{ name: 'f', type: 'string', aliases: ['z', 'y'] }] };
      const b = { type: 'record', name: 'Norm', a: 'y', b: 'x', fields: [{ name: 'f', type: 'string', aliases: ['y', 'z'] }] };
      const plainA = await sr.register('norm-plain', a);
      const plainB = await sr.register('norm-plain2', b);
      expect(plainA).not.toBe(plainB);
      const normA = await sr.register('norm-q', a, {}, '?normalize=true');
      expect(await sr.register('norm-q', b, {}, '?normalize=true')).toBe(normA);
      expect((await sr.get('/subjects/norm-q/versions')).body).toEqual([1]);
      await sr.put('/config/norm-c', { normalize: true });
      expect(await sr.get('/config/norm-c')).toMatchObject({ body: { normalize: true } });
      expect(await sr.register('norm-c', b)).toBe(normA);
      expect(await sr.post('/subjects/norm-c', { schema: JSON.stringify(a) })).toMatchObject({ status: 200, body: { id: normA } });
    });
  });

  describe('mode', () => {
    it('global mode defaults to READWRITE; invalid modes are 42204', async () => {
      expect(await sr.get('/mode')).toMatchObject({ status: 200, body: { mode: 'READWRITE' } });
      expect(await sr.put('/mode', { mode: 'SIDEWAYS' })).toMatchObject({ status: 422, body: err(42204) });
      expect(await sr.put('/mode/x', {})).toMatchObject({ status: 422, body: err(42204) });
    });

    it('READONLY refuses registrations and deletes with 42205', async () => {
      await sr.register('ro-value', userV1);
      expect(await sr.get('/mode/ro-value')).toMatchObject({ status: 404, body: err(40409) });
      expect(await sr.get('/mode/ro-value?defaultToGlobal=true')).toMatchObject({ status: 200, body: { mode: 'READWRITE' } });
      expect(await sr.put('/mode/ro-value', { mode: 'READONLY' })).toMatchObject({ status: 200, body: { mode: 'READONLY' } });
      expect(await sr.get('/mode/ro-value')).toMatchObject({ status: 200, body: { mode: 'READONLY' } });
      expect(await sr.post('/subjects/ro-value/versions', { schema: JSON.stringify(userV2) })).toMatchObject({ status: 422, body: err(42205) });
      expect(await sr.delete('/subjects/ro-value/versions/1')).toMatchObject({ status: 422, body: err(42205) });
      expect(await sr.delete('/subjects/ro-value')).toMatchObject({ status: 422, body: err(42205) });
      expect(await sr.delete('/mode/ro-value')).toMatchObject({ status: 200, body: { mode: 'READONLY' } });
      expect(await sr.delete('/mode/ro-value')).toMatchObject({ status: 404, body: err(40409) });
      expect(await sr.register('ro-value', userV2)).toEqual(expect.any(Number));
    });

    it('global READONLY applies to every subject', async () => {
      await sr.put('/mode', { mode: 'READONLY' });
      expect(await sr.post('/subjects/ro-global/versions', { schema: '"string"' })).toMatchObject({ status: 422, body: err(42205) });
      await sr.put('/mode', { mode: 'READWRITE' });
    });

    it('IMPORT: needs an empty subject or force; registers with explicit id and version; checks ids', async () => {
      await sr.register('imp-busy', userV1);
      expect(await sr.put('/mode/imp-busy', { mode: 'IMPORT' })).toMatchObject({ status: 422, body: err(42205) });
      expect(await sr.put('/mode/imp-busy?force=true', { mode: 'IMPORT' })).toMatchObject({ status: 200, body: { mode: 'IMPORT' } });
      await sr.delete('/mode/imp-busy');

      expect(await sr.post('/subjects/imp-value/versions', { schema: '"string"', id: 5000, version: 1 })).toMatchObject({ status: 422, body: err(42205) });
      expect(await sr.put('/mode/imp-value', { mode: 'IMPORT' })).toMatchObject({ status: 200, body: { mode: 'IMPORT' } });
      expect(await sr.post('/subjects/imp-value/versions', { schema: '"string"' })).toMatchObject({ status: 422, body: err(42205) });
      expect(await sr.post('/subjects/imp-value/versions', { schema: JSON.stringify(recordSchema('Imported', ['a'])), id: 5000, version: 3 })).toMatchObject({ status: 200, body: { id: 5000 } });
      expect(await sr.get('/subjects/imp-value/versions/3')).toMatchObject({ status: 200, body: { id: 5000, version: 3 } });
      // Same schema with another id: 42207; another schema with a taken id: 42205.
      expect(await sr.post('/subjects/imp-value/versions', { schema: JSON.stringify(recordSchema('Imported', ['a'])), id: 5001, version: 4 })).toMatchObject({ status: 422, body: err(42207) });
      expect(await sr.post('/subjects/imp-value/versions', { schema: JSON.stringify(recordSchema('Imported2', ['a'])), id: 5000, version: 4 })).toMatchObject({ status: 422, body: err(42205) });
      await sr.delete('/mode/imp-value');
      // New ids continue above imported ones.
      expect(await sr.register('after-import', recordSchema('AfterImport', ['a']))).toBe(5001);
    });
  });

  describe('compatibility endpoints', () => {
    beforeAll(async () => {
      await sr.register('compat-value', userV1);
    });

    it('tests against latest, a version and all versions, with verbose messages', async () => {
      expect(await sr.post('/compatibility/subjects/compat-value/versions/latest', { schema: JSON.stringify(userV2) })).toMatchObject({ status: 200, body: { is_compatible: true } });
      const bad = await sr.post<{ is_compatible: boolean; messages?: string[] }>('/compatibility/subjects/compat-value/versions/1', { schema: JSON.stringify(userIncompatible) });
      expect(bad).toMatchObject({ status: 200, body: { is_compatible: false } });
      expect(bad.body.messages).toBeUndefined();
      const verbose = await sr.post<{ is_compatible: boolean; messages: string[] }>('/compatibility/subjects/compat-value/versions?verbose=true', { schema: JSON.stringify(userIncompatible) });
      expect(verbose.body.is_compatible).toBe(false);
      expect(verbose.body.messages.join(' ')).toMatch(/age/);
    });

    it('latest of an unknown subject is compatible; unknown versions 404; invalid ones 42202; invalid schemas 42201', async () => {
      expect(await sr.post('/compatibility/subjects/fresh/versions/latest', { schema: '"string"' })).toMatchObject({ status: 200, body: { is_compatible: true } });
      expect(await sr.post('/compatibility/subjects/fresh/versions/1', { schema: '"string"' })).toMatchObject({ status: 404, body: err(40401) });
      expect(await sr.post('/compatibility/subjects/compat-value/versions/7', { schema: '"string"' })).toMatchObject({ status: 404, body: err(40402) });
      expect(await sr.post('/compatibility/subjects/compat-value/versions/zero', { schema: '"string"' })).toMatchObject({ status: 422, body: err(42202) });
      expect(await sr.post('/compatibility/subjects/compat-value/versions/latest', { schema: '{"type":"bogus"}' })).toMatchObject({ status: 422, body: err(42201) });
    });
  });

  describe('deletes', () => {
    it('soft then permanent delete of a version, with the deleted flags', async () => {
      await sr.register('del-value', recordSchema('Del', ['a']));
      const id2 = await sr.register('del-value', recordSchema('Del', ['a', 'b']));
      expect(await sr.delete('/subjects/del-value/versions/2?permanent=true')).toMatchObject({ status: 404, body: err(40407) });
      expect(await sr.delete('/subjects/del-value/versions/2')).toMatchObject({ status: 200, body: 2 });
      expect(await sr.delete('/subjects/del-value/versions/2')).toMatchObject({ status: 404, body: err(40406) });
      expect(await sr.get('/subjects/del-value/versions/2')).toMatchObject({ status: 404, body: err(40402) });
      expect(await sr.get('/subjects/del-value/versions/2?deleted=true')).toMatchObject({ status: 200, body: { version: 2, id: id2 } });
      expect((await sr.get('/subjects/del-value/versions')).body).toEqual([1]);
      expect((await sr.get('/subjects/del-value/versions?deleted=true')).body).toEqual([1, 2]);
      expect((await sr.get('/subjects/del-value/versions?deletedOnly=true')).body).toEqual([2]);
      expect(await sr.get(`/schemas/ids/${id2}`)).toMatchObject({ status: 200 });
      expect((await sr.get(`/schemas/ids/${id2}/subjects`)).status).toBe(404);
      expect(await sr.get(`/schemas/ids/${id2}/subjects?deleted=true`)).toMatchObject({ status: 200, body: ['del-value'] });
      expect(await sr.delete('/subjects/del-value/versions/2?permanent=true')).toMatchObject({ status: 200, body: 2 });
      expect(await sr.get('/subjects/del-value/versions/2?deleted=true')).toMatchObject({ status: 404, body: err(40402) });
      expect(await sr.get(`/schemas/ids/${id2}`)).toMatchObject({ status: 404, body: err(40403) });
      expect(await sr.delete('/subjects/del-value/versions/9')).toMatchObject({ status: 404, body: err(40402) });
      expect(await sr.delete('/subjects/nope/versions/1')).toMatchObject({ status: 404, body: err(40401) });
      expect(await sr.delete('/subjects/del-value/versions/x')).toMatchObject({ status: 422, body: err(42202) });
      // Ids are never reused: the next new schema gets a fresh id.
      expect(await sr.register('del-value', recordSchema('Del', ['a', 'c']))).toBeGreaterThan(id2);
    });

    it('soft then permanent delete of a subject, with the deleted flags', async () => {
      await sr.register('gone-value', recordSchema('Gone', ['a']));
      await sr.register('gone-value', recordSchema('Gone', ['a', 'b']));
      await sr.put('/config/gone-value', { compatibility: 'FULL' });
      expect(await sr.delete('/subjects/gone-value?permanent=true')).toMatchObject({ status: 404, body: err(40405) });
      expect(await sr.delete('/subjects/gone-value')).toMatchObject({ status: 200, body: [1, 2] });
      expect(await sr.delete('/subjects/gone-value')).toMatchObject({ status: 404, body: err(40404) });
      expect(await sr.get('/config/gone-value')).toMatchObject({ status: 404, body: err(40408) });
      expect((await sr.get<string[]>('/subjects')).body).not.toContain('gone-value');
      expect((await sr.get<string[]>('/subjects?deleted=true')).body).toContain('gone-value');
      expect((await sr.get<string[]>('/subjects?deletedOnly=true')).body).toContain('gone-value');
      expect(await sr.get('/subjects/gone-value/versions')).toMatchObject({ status: 404, body: err(40401) });
      expect(await sr.post('/subjects/gone-value', { schema: JSON.stringify(recordSchema('Gone', ['a'])) })).toMatchObject({ status: 404, body: err(40401) });
      expect(await sr.post('/subjects/gone-value?deleted=true', { schema: JSON.stringify(recordSchema('Gone', ['a'])) })).toMatchObject({ status: 200, body: { version: 1 } });
      expect(await sr.delete('/subjects/gone-value?permanent=true')).toMatchObject({ status: 200, body: [1, 2] });
      expect((await sr.get<string[]>('/subjects?deleted=true')).body).not.toContain('gone-value');
      expect(await sr.delete('/subjects/gone-value')).toMatchObject({ status: 404, body: err(40401) });
    });

    it('re-registering a soft-deleted schema creates a new version with the same id', async () => {
      const id = await sr.register('again-value', recordSchema('Again', ['a']));
      await sr.delete('/subjects/again-value');
      expect(await sr.register('again-value', recordSchema('Again', ['a']))).toBe(id);
      expect((await sr.get('/subjects/again-value/versions')).body).toEqual([2]);
    });
  });

  describe('references', () => {
    const address = { type: 'record', name: 'Address', namespace: 'com.example', fields: [{ name: 'street', type: 'string' }] };
    const customer = { type: 'record', name: 'Customer', namespace: 'com.example', fields: [{ name: 'address', type: 'com.example.Address' }] };
    const refs = [{ name: 'com.example.Address', subject: 'address-value', version: 1 }];
    let customerId: number;

    it('registers a schema referencing another subject and reports referencedby', async () => {
      await sr.register('address-value', address);
      customerId = await sr.register('customer-value', customer, { references: refs });
      expect(await sr.get('/subjects/customer-value/versions/1')).toMatchObject({ status: 200, body: { references: refs } });
      expect(await sr.get(`/schemas/ids/${customerId}`)).toMatchObject({ body: { references: refs } });
      expect(await sr.get('/subjects/address-value/versions/1/referencedby')).toMatchObject({ status: 200, body: [customerId] });
      expect(await sr.get('/subjects/nope/versions/1/referencedby')).toMatchObject({ status: 404, body: err(40401) });
      expect(await sr.post('/subjects/customer-value', { schema: JSON.stringify(customer), references: refs })).toMatchObject({ status: 200, body: { id: customerId } });
    });

    it('refuses to delete a referenced schema (42206) and unresolvable references (42201)', async () => {
      expect(await sr.delete('/subjects/address-value/versions/1')).toMatchObject({ status: 422, body: err(42206) });
      expect(await sr.delete('/subjects/address-value')).toMatchObject({ status: 422, body: err(42206) });
      expect(await sr.post('/subjects/customer2-value/versions', { schema: JSON.stringify(customer), references: [{ ...refs[0], version: 9 }] })).toMatchObject({
        status: 422,
        body: err(42201),
      });
      expect(await sr.post('/subjects/customer2-value/versions', { schema: JSON.stringify(customer) })).toMatchObject({ status: 422, body: err(42201) });
    });
  });
});
