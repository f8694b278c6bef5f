import { decodeRecord, encodeKey, encodeValue, RecordFormatError } from './registry-records';

describe('_schemas record format', () => {
  it('writes keys with Confluent field order and magic bytes', () => {
    expect(encodeKey({ keytype: 'SCHEMA', subject: 's', version: 3 })).toBe('{"keytype":"SCHEMA","subject":"s","version":3,"magic":1}');
    expect(encodeKey({ keytype: 'CONFIG', subject: null })).toBe('{"keytype":"CONFIG","subject":null,"magic":0}');
    expect(encodeKey({ keytype: 'MODE', subject: 'x' })).toBe('{"keytype":"MODE","subject":"x","magic":0}');
    expect(encodeKey({ keytype: 'DELETE_SUBJECT', subject: 'x' })).toBe('{"keytype":"DELETE_SUBJECT","subject":"x","magic":0}');
    expect(encodeKey({ keytype: 'CLEAR_SUBJECT', subject: 'x' })).toBe('{"keytype":"CLEAR_SUBJECT","subject":"x","magic":0}');
  });

  it('omits schemaType for AVRO and empty references in schema values', () => {
    const value = encodeValue({
      key: { keytype: 'SCHEMA', subject: 's', version: 1 },
      value: { subject: 's', version: 1, id: 9, schemaType: 'AVRO', references: [], schema: '"string"', deleted: false },
    });
    expect(value).toBe('{"subject":"s","version":1,"id":9,"schema":"\\"string\\"","deleted":false}');
    expect(encodeValue({ key: { keytype: 'CONFIG', subject: null }, value: null })).toBeNull();
  });

  it('reads values Confluent wrote, with and without optional fields', () => {
    const r = decodeRecord(
      '{"keytype":"SCHEMA","subject":"s","version":2,"magic":1}',
      '{"subject":"s","version":2,"id":4,"references":[{"name":"A","subject":"a","version":1}],"schema":"{}","deleted":true}',
    );
    expect(r.value).toEqual({ subject: 's', version: 2, id: 4, schemaType: 'AVRO', references: [{ name: 'A', subject: 'a', version: 1 }], schema: '{}', deleted: true });
    expect(decodeRecord('{"keytype":"CONFIG","magic":0}', '{"compatibilityLevel":"FULL"}')).toEqual({ key: { keytype: 'CONFIG', subject: null }, value: { compatibilityLevel: 'FULL' } });
    expect(decodeRecord('{"keytype":"NOOP","magic":0}', null)).toEqual({ key: { keytype: 'NOOP' }, value: null });
  });

  it('rejects keys it cannot interpret', () => {
    expect(() => decodeRecord('{"keytype":"CONTEXT","tenant":"t","context":"c","magic":0}', '{}')).toThrow(RecordFormatError);
    expect(() => decodeRecord('not json', null)).toThrow(RecordFormatError);
    expect(() => decodeRecord('{"keytype":"SCHEMA","subject":"s","magic":1}', null)).toThrow(RecordFormatError);
  });
});
