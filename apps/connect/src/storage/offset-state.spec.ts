import { canonicalJson, OffsetState, offsetRecord } from './offset-state';

const store = () => new OffsetState();

describe('OffsetState (connect-offsets record format)', () => {
  test('keys are ["connector", partition]; the latest value wins; partitions compare by canonical JSON', () => {
    const s = store();
    s.apply({ key: '["src",{"table":"orders","db":"erp"}]', value: '{"id":1}' });
    s.apply({ key: '["src",{"db":"erp","table":"orders"}]', value: '{"id":7}' });
    s.apply({ key: '["other",{"table":"orders","db":"erp"}]', value: '{"id":3}' });
    expect(s.offset('src', { table: 'orders', db: 'erp' })).toEqual({ id: 7 });
    expect(s.offsets('src')).toHaveLength(1);
    expect(s.offset('other', { db: 'erp', table: 'orders' })).toEqual({ id: 3 });
    s.apply({ key: '["src",{"table":"orders","db":"erp"}]', value: null });
    expect(s.offset('src', { table: 'orders', db: 'erp' })).toBeNull();
    expect(s.offsets('src')).toEqual([]);
  });

  test('malformed keys are rejected', () => {
    expect(() => store().apply({ key: '{"a":1}', value: '{}' })).toThrow(/malformed/);
  });

  test('records are written in Kafka Connect\'s format', () => {
    expect(offsetRecord('src', { partition: { table: 'orders' }, offset: { id: 5 } })).toEqual({ key: '["src",{"table":"orders"}]', value: '{"id":5}' });
    expect(offsetRecord('src', { partition: { table: 'orders' }, offset: null })).toEqual({ key: '["src",{"table":"orders"}]', value: null });
  });

  test('canonicalJson sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 2 } })).toBe('{"a":{"c":2,"d":[{"y":2,"z":1}]},"b":1}');
  });
});
