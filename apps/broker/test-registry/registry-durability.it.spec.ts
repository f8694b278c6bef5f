import type { BrokerProcess } from '@millrace/testing';
import { useRegistryBroker } from './registry-fixture';
import { recordSchema, RegistryHttp } from './registry-http';

/**
 * Crash recovery: after kill -9 and a restart, the registry rebuilt from `_schemas` has
 * the same subjects, versions, ids, configs, modes and soft deletes, and never reuses an
 * id (not even one whose rows were permanently deleted).
 */
describe('schema registry durability across kill -9', () => {
  let broker: BrokerProcess;
  let sr: RegistryHttp;

  useRegistryBroker((env) => {
    ({ broker, sr } = env);
  });

  /** Everything observable through the API that must survive a crash. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const subjects = (await sr.get<string[]>('/subjects?deleted=true')).body;
    const out: Record<string, unknown> = {
      subjects: (await sr.get('/subjects')).body,
      allSubjects: subjects,
      globalConfig: (await sr.get('/config')).body,
      globalMode: (await sr.get('/mode')).body,
      schemas: (await sr.get('/schemas?deleted=true')).body,
    };
    for (const s of subjects) {
      const versions = (await sr.get<number[]>(`/subjects/${s}/versions?deleted=true`)).body;
      out[`versions:${s}`] = versions;
      out[`live:${s}`] = (await sr.get(`/subjects/${s}/versions`)).body;
      out[`config:${s}`] = await sr.get(`/config/${s}`).then((r) => [r.status, r.body]);
      out[`mode:${s}`] = await sr.get(`/mode/${s}`).then((r) => [r.status, r.body]);
      for (const v of versions) out[`${s}/${v}`] = (await sr.get(`/subjects/${s}/versions/${v}?deleted=true`)).body;
    }
    const maxId = (await sr.get<{ maxId: number }>('/schemas/ids/1?fetchMaxId=true')).body.maxId;
    out.maxId = maxId;
    for (let id = 1; id <= maxId; id++) out[`id:${id}`] = await sr.get(`/schemas/ids/${id}/versions?deleted=true`).then((r) => [r.status, r.body]);
    return out;
  }

  it('keeps subjects, versions, ids, configs, modes and soft deletes', async () => {
    const shared = await sr.register('a-value', recordSchema('A', ['x']));
    expect(await sr.register('b-value', recordSchema('A', ['x']))).toBe(shared);
    await sr.register('a-value', recordSchema('A', ['x', 'y']));
    await sr.register('a-value', recordSchema('A', ['x', 'y', 'z']));
    await sr.register('c-value', recordSchema('C', ['x']));
    await sr.register('d-value', recordSchema('D', ['x']));
    await sr.register('d-value', recordSchema('D', ['x', 'y']));
    await sr.put('/config', { compatibility: 'FORWARD' });
    await sr.put('/config/a-value', { compatibility: 'NONE', normalize: true });
    await sr.put('/mode/b-value', { mode: 'READONLY' });
    await sr.put('/mode/import-value', { mode: 'IMPORT' });
    await sr.post('/subjects/import-value/versions', { schema: JSON.stringify(recordSchema('I', ['x'])), id: 300, version: 5 });
    expect((await sr.delete('/subjects/a-value/versions/2')).status).toBe(200);
    expect((await sr.delete('/subjects/c-value')).status).toBe(200);
    // Permanently delete the newest schema, so the highest id exists only as spent.
    const top = await sr.register('e-value', recordSchema('E', ['x']));
    expect((await sr.delete('/subjects/e-value')).status).toBe(200);
    expect((await sr.delete('/subjects/e-value?permanent=true')).status).toBe(200);
    expect((await sr.delete('/subjects/d-value/versions/2')).status).toBe(200);
    expect((await sr.delete('/subjects/d-value/versions/2?permanent=true')).status).toBe(200);

    const before = await snapshot();
    await broker.kill();
    await broker.restart();
    const after = await snapshot();
    expect(after).toEqual(before);

    // Spot checks of what the snapshot holds.
    expect(after.subjects).toEqual(['a-value', 'b-value', 'd-value', 'import-value']);
    expect(after['live:a-value']).toEqual([1, 3]);
    expect(after['versions:a-value']).toEqual([1, 2, 3]);
    expect(after['config:a-value']).toEqual([200, { compatibilityLevel: 'NONE', normalize: true }]);
    expect(after['mode:b-value']).toEqual([200, { mode: 'READONLY' }]);
    expect(after.globalConfig).toEqual({ compatibilityLevel: 'FORWARD' });
    expect(after['import-value/5']).toMatchObject({ id: 300, version: 5 });
    expect(after['versions:d-value']).toEqual([1]);

    const fresh = await sr.register('f-value', recordSchema('F', ['x']));
    expect(fresh).toBeGreaterThan(Math.max(top, 300));
    expect((await sr.post('/subjects/b-value/versions', { schema: '"string"' })).status).toBe(422);
  });

  it('survives a second crash right after writes', async () => {
    const id = await sr.register('g-value', recordSchema('G', ['x']));
    await sr.put('/config/g-value', { compatibility: 'FULL' });
    await sr.delete('/subjects/f-value');
    const before = await snapshot();
    await broker.kill();
    await broker.restart();
    expect(await snapshot()).toEqual(before);
    expect((await sr.get('/subjects/g-value/versions/1')).body).toMatchObject({ id });
  });
});
