import { primitiveSchema, sourceRecord, structSchema } from '../testing/record-builders';
import { ReplaceField } from './replace-field';

const schema = structSchema(
  [
    ['id', primitiveSchema('int32')],
    ['name', primitiveSchema('string')],
    ['secret', primitiveSchema('string', true)],
    ['age', primitiveSchema('int8')],
  ],
  { name: 'people.Value', version: 1 },
);
const value = { id: 1, name: 'Ada', secret: 's', age: 36 };

function replace(config: Record<string, string>, side: 'key' | 'value' = 'value'): ReplaceField {
  const t = new ReplaceField(side);
  t.configure(config);
  return t;
}

describe('ReplaceField', () => {
  it('with a schema: exclude and renames, keeping order and schema name', () => {
    const out = replace({ exclude: 'secret', renames: 'name:full_name, age:years' }).apply(sourceRecord({ valueSchema: schema, value }));
    expect(out?.valueSchema?.name).toBe('people.Value');
    expect(out?.valueSchema?.fields?.map((f) => [f.name, f.index, f.schema.type])).toEqual([
      ['id', 0, 'int32'],
      ['full_name', 1, 'string'],
      ['years', 2, 'int8'],
    ]);
    expect(out?.value).toEqual({ id: 1, full_name: 'Ada', years: 36 });
  });

  it('include keeps only listed fields; exclude wins over include', () => {
    const out = replace({ include: 'id,name,secret', exclude: 'secret' }).apply(sourceRecord({ valueSchema: schema, value }));
    expect(out?.value).toEqual({ id: 1, name: 'Ada' });
    expect(out?.valueSchema?.fields?.map((f) => f.name)).toEqual(['id', 'name']);
  });

  it('accepts the deprecated blacklist/whitelist aliases', () => {
    expect(replace({ blacklist: 'secret,age' }).apply(sourceRecord({ valueSchema: schema, value }))?.value).toEqual({ id: 1, name: 'Ada' });
    expect(replace({ whitelist: 'id' }).apply(sourceRecord({ valueSchema: schema, value }))?.value).toEqual({ id: 1 });
  });

  it('schemaless: object and Map', () => {
    const t = replace({ exclude: 'secret', renames: 'name:n' });
    expect(t.apply(sourceRecord({ value }))?.value).toEqual({ id: 1, n: 'Ada', age: 36 });
    expect(t.apply(sourceRecord({ value: new Map(Object.entries(value)) }))?.value).toEqual(new Map<string, unknown>([['id', 1], ['n', 'Ada'], ['age', 36]]));
  });

  it('$Key variant and tombstones', () => {
    const t = replace({ exclude: 'b' }, 'key');
    expect(t.apply(sourceRecord({ key: { a: 1, b: 2 }, value: null }))?.key).toEqual({ a: 1 });
    const tomb = sourceRecord({ value: null });
    expect(replace({ exclude: 'x' }).apply(tomb)).toBe(tomb);
  });

  it('rejects a malformed rename naming the key', () => {
    expect(() => replace({ renames: 'a:b,c' })).toThrow(expect.objectContaining({ key: 'renames', message: 'Invalid value a:b,c for configuration renames: Invalid rename mapping: c' }));
  });
});
