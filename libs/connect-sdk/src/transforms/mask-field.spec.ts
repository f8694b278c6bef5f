import { DECIMAL_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema } from '../record/connect-schema';
import { primitiveSchema, sourceRecord, structSchema } from '../testing/record-builders';
import { MaskField } from './mask-field';

const schema = structSchema([
  ['i8', primitiveSchema('int8')],
  ['i64', primitiveSchema('int64')],
  ['f', primitiveSchema('float64')],
  ['b', primitiveSchema('boolean')],
  ['s', primitiveSchema('string')],
  ['bytes', primitiveSchema('bytes')],
  ['arr', { type: 'array', optional: false, valueSchema: primitiveSchema('string') } as ConnectSchema],
  ['map', { type: 'map', optional: false, keySchema: primitiveSchema('string'), valueSchema: primitiveSchema('int32') } as ConnectSchema],
  ['dec', primitiveSchema('bytes', false, { name: DECIMAL_LOGICAL, parameters: { scale: '2' } })],
  ['ts', primitiveSchema('int64', false, { name: TIMESTAMP_LOGICAL })],
  ['opt', primitiveSchema('string', true)],
  ['keep', primitiveSchema('string')],
]);
const value = { i8: 5, i64: BigInt('9007199254740993'), f: 1.5, b: true, s: 'secret', bytes: Buffer.from('x'), arr: ['a'], map: { a: 1 }, dec: '12.34', ts: new Date(5), opt: null, keep: 'k' };
const ALL = 'i8,i64,f,b,s,bytes,arr,map,dec,ts,opt';

function mask(config: Record<string, string>, side: 'key' | 'value' = 'value'): MaskField {
  const t = new MaskField(side);
  t.configure(config);
  return t;
}

describe('MaskField', () => {
  it('with a schema: masks to type-appropriate empty values, schema unchanged', () => {
    const out = mask({ fields: ALL }).apply(sourceRecord({ valueSchema: schema, value }));
    expect(out?.valueSchema).toBe(schema);
    expect(out?.value).toEqual({ i8: 0, i64: BigInt(0), f: 0, b: false, s: '', bytes: Buffer.alloc(0), arr: [], map: {}, dec: '0', ts: new Date(0), opt: null, keep: 'k' });
  });

  it('with a replacement: strings and numbers take it, parsed to the type', () => {
    const out = mask({ fields: 'i8,f,s,dec', replacement: '42' }).apply(sourceRecord({ valueSchema: schema, value }));
    expect(out?.value).toMatchObject({ i8: 42, f: 42, s: '42', dec: '42', keep: 'k' });
  });

  it('a replacement for a non-string, non-numeric field is a DataError', () => {
    expect(() => mask({ fields: 'b', replacement: 'x' }).apply(sourceRecord({ valueSchema: schema, value }))).toThrow(/Cannot mask value of type boolean with custom replacement/);
    expect(() => mask({ fields: 'i8', replacement: 'abc' }).apply(sourceRecord({ valueSchema: schema, value }))).toThrow(/Unable to convert abc/);
  });

  it('schemaless: masks by runtime type, object and Map', () => {
    const t = mask({ fields: 'n,s,b,buf,arr,m,o' });
    const input = { n: 3, s: 'x', b: true, buf: Buffer.from('y'), arr: [1], m: new Map([[1, 2]]), o: { a: 1 }, other: 'z' };
    expect(t.apply(sourceRecord({ value: input }))?.value).toEqual({ n: 0, s: '', b: false, buf: Buffer.alloc(0), arr: [], m: new Map(), o: {}, other: 'z' });
    expect(t.apply(sourceRecord({ value: new Map<string, unknown>([['s', 'x'], ['k', 1]]) }))?.value).toEqual(new Map<string, unknown>([['s', ''], ['k', 1]]));
    expect(mask({ fields: 's,n', replacement: '7' }).apply(sourceRecord({ value: { s: 'x', n: 1 } }))?.value).toEqual({ s: '7', n: 7 });
  });

  it('$Key variant', () => {
    expect(mask({ fields: 'ssn' }, 'key').apply(sourceRecord({ key: { ssn: '123' } }))?.key).toEqual({ ssn: '' });
  });

  it('fields is required and non-empty; replacement may not be empty', () => {
    expect(() => mask({})).toThrow(expect.objectContaining({ key: 'fields', message: 'Missing required configuration "fields" which has no default value.' }));
    expect(() => mask({ fields: 'a', replacement: '' })).toThrow(expect.objectContaining({ key: 'replacement' }));
  });
});
