import { decodeRecord, encodeKey, encodeValue, type RegistryRecord, type SchemaValue } from './registry-records';
import { schemaIdentity, SchemaRegistryState } from './schema-registry.state';

function schema(subject: string, version: number, id: number, text = `"s${id}"`, extra: Partial<SchemaValue> = {}): RegistryRecord {
  return { key: { keytype: 'SCHEMA', subject, version }, value: { subject, version, id, schemaType: 'AVRO', references: [], schema: text, deleted: false, ...extra } };
}

/** Applies records through their wire encoding, as the store's reader does. */
function replay(records: RegistryRecord[]): SchemaRegistryState {
  const state = new SchemaRegistryState();
  for (const r of records) state.apply(decodeRecord(encodeKey(r.key), encodeValue(r)));
  return state;
}

describe('SchemaRegistryState', () => {
  it('indexes versions, ids and identities', () => {
    const s = replay([schema('a', 1, 1, '"string"'), schema('b', 1, 1, '"string"'), schema('a', 2, 2, '"int"')]);
    expect(s.subjectNames()).toEqual(['a', 'b']);
    expect(s.versionNumbers('a')).toEqual([1, 2]);
    expect(s.getVersion('a', -1, false)?.version).toBe(2);
    expect(s.idForIdentity(schemaIdentity('AVRO', '"string"', []))).toBe(1);
    expect(s.holdersOfId(1, false)).toEqual([
      { subject: 'a', version: 1 },
      { subject: 'b', version: 1 },
    ]);
    expect(s.maxId).toBe(2);
    expect(s.maxVersion('a')).toBe(2);
  });

  it('soft-deletes one version through a rewritten row and a whole subject through DELETE_SUBJECT', () => {
    const s = replay([
      schema('a', 1, 1),
      schema('a', 2, 2),
      schema('a', 1, 1, '"s1"', { deleted: true }),
      { key: { keytype: 'DELETE_SUBJECT', subject: 'a' }, value: { subject: 'a', version: 2 } },
      schema('a', 3, 3),
    ]);
    expect(s.versionNumbers('a', 'exclude')).toEqual([3]);
    expect(s.versionNumbers('a', 'include')).toEqual([1, 2, 3]);
    expect(s.versionNumbers('a', 'only')).toEqual([1, 2]);
    expect(s.getVersion('a', 1, false)).toBeUndefined();
    expect(s.getVersion('a', 1, true)?.deleted).toBe(true);
    expect(s.schemaById(1)?.schema).toBe('"s1"');
  });

  it('forgets an id once its last row is tombstoned, but never lowers maxId', () => {
    const s = replay([schema('a', 1, 7, '"x"'), { key: { keytype: 'SCHEMA', subject: 'a', version: 1 }, value: null }]);
    expect(s.schemaById(7)).toBeUndefined();
    expect(s.idForIdentity(schemaIdentity('AVRO', '"x"', []))).toBeUndefined();
    expect(s.hasSubject('a', true)).toBe(false);
    expect(s.maxId).toBe(7);
  });

  it('keeps ids spent by compacted-away rows through ID_WATERMARK', () => {
    const s = replay([{ key: { keytype: 'ID_WATERMARK' }, value: { maxId: 41 } }, schema('a', 1, 3)]);
    expect(s.maxId).toBe(41);
  });

  it('applies and removes global and subject config and mode', () => {
    const s = replay([
      { key: { keytype: 'CONFIG', subject: null }, value: { compatibilityLevel: 'FULL' } },
      { key: { keytype: 'CONFIG', subject: 'a' }, value: { compatibilityLevel: 'NONE', normalize: true } },
      { key: { keytype: 'MODE', subject: null }, value: { mode: 'READONLY' } },
      { key: { keytype: 'MODE', subject: 'a' }, value: { mode: 'IMPORT' } },
      { key: { keytype: 'MODE', subject: 'a' }, value: null },
    ]);
    expect(s.globalConfig).toEqual({ compatibilityLevel: 'FULL' });
    expect(s.subjectConfig('a')).toEqual({ compatibilityLevel: 'NONE', normalize: true });
    expect(s.globalMode).toBe('READONLY');
    expect(s.subjectMode('a')).toBeUndefined();
  });

  it('CLEAR_SUBJECT drops only soft-deleted versions (all subjects for the empty name)', () => {
    const s = replay([
      schema('a', 1, 1, '"a"', { deleted: true }),
      schema('b', 1, 2, '"b"', { deleted: true }),
      schema('b', 2, 3),
      { key: { keytype: 'CLEAR_SUBJECT', subject: 'a' }, value: { subject: 'a' } },
    ]);
    expect(s.hasSubject('a', true)).toBe(false);
    expect(s.versionNumbers('b', 'include')).toEqual([1, 2]);
    s.apply({ key: { keytype: 'CLEAR_SUBJECT', subject: '' }, value: { subject: '' } });
    expect(s.versionNumbers('b', 'include')).toEqual([2]);
    expect(s.schemaById(2)).toBeUndefined();
  });

  it('lists live referrers of a version', () => {
    const ref = { name: 'com.acme.Address', subject: 'addr', version: 1 };
    const s = replay([schema('addr', 1, 1), schema('user', 1, 2, '"u"', { references: [ref] }), schema('other', 1, 3, '"o"', { references: [ref], deleted: true })]);
    expect(s.referencedBy('addr', 1)).toEqual([2]);
    expect(s.referencedBy('addr', 2)).toEqual([]);
  });
});
