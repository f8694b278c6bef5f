import { InvalidSchemaError, parseAvro, SchemaReference } from './index';
import { checkCompatibility } from './compatibility-check';

const noRefs = (): undefined => undefined;
const canonical = (s: string): string => parseAvro(s, [], noRefs, { normalize: false }).canonical;
const normalized = (s: string): string => parseAvro(s, [], noRefs, { normalize: true }).normalized;

describe('parseAvro canonical form (Avro-Java Schema.toString)', () => {
  it.each([
    ['primitive name', '"string"', '"string"'],
    ['primitive object without props', '{"type": "int"}', '"int"'],
    ['primitive with a logical type keeps its props', '{"type":"int","logicalType":"date"}', '{"type":"int","logicalType":"date"}'],
    ['whitespace removed', ' [ "null" , "long" ] ', '["null","long"]'],
    [
      'dotted name split into name + namespace',
      '{"type":"record","name":"a.b.User","fields":[]}',
      '{"type":"record","name":"User","namespace":"a.b","fields":[]}',
    ],
    [
      'attributes re-ordered: type, name, namespace, doc, fields, props, aliases',
      '{"aliases":["Old"],"x-owner":"team","fields":[{"type":"int","name":"id"}],"doc":"d","namespace":"n","name":"R","type":"record"}',
      '{"type":"record","name":"R","namespace":"n","doc":"d","fields":[{"name":"id","type":"int"}],"x-owner":"team","aliases":["Old"]}',
    ],
    [
      'field attributes: name, type, doc, default, order, aliases, props; ascending order dropped',
      '{"type":"record","name":"R","fields":[{"p":1,"aliases":["o"],"order":"descending","default":3,"doc":"x","type":"int","name":"a"},{"name":"b","type":"int","order":"ascending"}]}',
      '{"type":"record","name":"R","fields":[{"name":"a","type":"int","doc":"x","default":3,"order":"descending","aliases":["o"],"p":1},{"name":"b","type":"int"}]}',
    ],
    [
      'nested named types: namespace inherited and omitted, repeated use printed by name',
      '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["X"],"default":"X"}},{"name":"b","type":"E"},{"name":"c","type":{"type":"fixed","name":"o.F","size":2}},{"name":"d","type":"o.F"}]}',
      '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["X"],"default":"X"}},{"name":"b","type":"E"},{"name":"c","type":{"type":"fixed","name":"F","namespace":"o","size":2}},{"name":"d","type":"o.F"}]}',
    ],
    [
      'null namespace inside a namespaced record is written as ""',
      '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":"record","name":"I","namespace":"","fields":[]}}]}',
      '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":"record","name":"I","namespace":"","fields":[]}}]}',
    ],
    [
      'numbers as Jackson prints them',
      '{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1.50},{"name":"b","type":"double","default":1e10},{"name":"c","type":"long","default":12345678901234}]}',
      '{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1.5},{"name":"b","type":"double","default":1.0E10},{"name":"c","type":"long","default":12345678901234}]}',
    ],
    [
      'error records and arrays/maps with props',
      '{"type":"error","name":"Oops","fields":[{"name":"m","type":{"type":"map","values":{"type":"array","items":"string","x":true}}}]}',
      '{"type":"error","name":"Oops","fields":[{"name":"m","type":{"type":"map","values":{"type":"array","items":"string","x":true}}}]}',
    ],
    [
      'recursive type',
      '{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]}',
      '{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]}',
    ],
  ])('%s', (_name, input, expected) => {
    expect(canonical(input)).toBe(expected);
    // canonical form is a fixed point
    expect(canonical(expected)).toBe(expected);
  });

  it('normalized equals canonical when normalize is false', () => {
    const r = parseAvro('{"type":"record","name":"R","fields":[{"name":"a","type":"int","b":1,"a":2}]}', [], noRefs, { normalize: false });
    expect(r.normalized).toBe(r.canonical);
  });
});

describe('parseAvro normalized form (Confluent AvroSchema.normalize)', () => {
  it('sorts props and aliases, puts logical attributes first, drops empty doc, error -> record', () => {
    const input =
      '{"type":"error","name":"R","namespace":"n","doc":"","aliases":["z.Z","A"],"zeta":1,"alpha":2,"fields":[' +
      '{"name":"d","type":{"type":"bytes","scale":2,"foo":"x","precision":10,"logicalType":"decimal"},"doc":""},' +
      '{"name":"f","type":"double","default":1,"aliases":["y","b"],"z":1,"a":2},' +
      '{"name":"g","type":"float","default":1.1},' +
      '{"name":"u","type":["null","string"],"default":"null"}]}';
    expect(normalized(input)).toBe(
      '{"type":"record","name":"R","namespace":"n","fields":[' +
        '{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2,"foo":"x"},"doc":""},' +
        '{"name":"f","type":"double","default":1.0,"aliases":["b","y"],"a":2,"z":1},' +
        '{"name":"g","type":"float","default":1.1},' +
        '{"name":"u","type":["null","string"]}],' +
        '"alpha":2,"zeta":1,"aliases":["A","z.Z"]}',
    );
  });

  it('makes attribute-order and prop-order variants equal', () => {
    const a = '{"type":"record","name":"R","fields":[{"name":"x","type":"int","p":1,"q":2}],"m":1,"l":2}';
    const b = '{"l":2,"fields":[{"q":2,"type":"int","p":1,"name":"x"}],"m":1,"name":"R","type":"record"}';
    expect(normalized(a)).toBe(normalized(b));
    expect(canonical(a)).not.toBe(canonical(b));
  });

  it('is idempotent', () => {
    const s = '{"type":"record","name":"R","fields":[{"name":"x","type":{"type":"fixed","name":"F","size":16,"logicalType":"decimal","precision":4,"b":1,"a":1}}]}';
    expect(normalized(normalized(s))).toBe(normalized(s));
  });
});

describe('parseAvro rejects invalid schemas', () => {
  it.each([
    ['not JSON', '{"type":'],
    ['unknown type name', '"strin"'],
    ['object without type', '{"name":"x"}'],
    ['record without name', '{"type":"record","fields":[]}'],
    ['record without fields', '{"type":"record","name":"R"}'],
    ['bad record name', '{"type":"record","name":"1R","fields":[]}'],
    ['bad namespace', '{"type":"record","name":"R","namespace":"a..b","fields":[]}'],
    ['named after a primitive', '{"type":"record","name":"int","fields":[]}'],
    ['duplicate field', '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]}'],
    ['bad field name', '{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}'],
    ['field without type', '{"type":"record","name":"R","fields":[{"name":"a"}]}'],
    ['invalid order', '{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]}'],
    ['redefined name', '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"R","symbols":["A"]}}]}'],
    ['nested union', '["null",["int","string"]]'],
    ['duplicate union branch', '["int","string","int"]'],
    ['two arrays in a union', '[{"type":"array","items":"int"},{"type":"array","items":"long"}]'],
    ['enum without symbols', '{"type":"enum","name":"E"}'],
    ['duplicate enum symbol', '{"type":"enum","name":"E","symbols":["A","A"]}'],
    ['bad enum symbol', '{"type":"enum","name":"E","symbols":["A B"]}'],
    ['enum default not a symbol', '{"type":"enum","name":"E","symbols":["A"],"default":"B"}'],
    ['fixed without size', '{"type":"fixed","name":"F"}'],
    ['fixed with fractional size', '{"type":"fixed","name":"F","size":1.5}'],
    ['array without items', '{"type":"array"}'],
    ['map without values', '{"type":"map"}'],
    ['int default out of range', '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":2147483648}]}'],
    ['int default not integral', '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1.5}]}'],
    ['string default for int', '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"1"}]}'],
    ['null default for string', '{"type":"record","name":"R","fields":[{"name":"a","type":"string","default":null}]}'],
    ['union default matching no branch', '{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":"x"}]}'],
    ['record default missing a required field', '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"I","fields":[{"name":"x","type":"int"}]},"default":{}}]}'],
    ['array default with wrong items', '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":["x"]}]}'],
  ])('%s', (_name, schema) => {
    expect(() => parseAvro(schema, [], noRefs, { normalize: false })).toThrow(InvalidSchemaError);
  });

  it('explains what is wrong', () => {
    expect(() => canonical('{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}')).toThrow(
      'Invalid default for field a in record R: "x" is not a valid "int"',
    );
    expect(() => canonical('{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}')).toThrow('Undefined name: "Missing"');
  });

  it.each([
    ['union default valid for a later branch (Confluent registers it)', '{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":"null"}]}'],
    ['record default using nested field defaults', '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"I","fields":[{"name":"x","type":"int","default":1}]},"default":{}}]}'],
    ['integral default for double', '{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1}]}'],
    ['enum default not checked against symbols (as Avro-Java)', '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["A"]},"default":"A"}]}'],
    ['invalid logical type is ignored', '{"type":"string","logicalType":"decimal","precision":-1}'],
    ['unicode names', '{"type":"record","name":"Données","fields":[{"name":"été","type":"int"}]}'],
    ['name resolved in the null namespace from inside a namespace', '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":"record","name":"G","namespace":"","fields":[]}},{"name":"b","type":"G"}]}'],
  ])('accepts %s', (_name, schema) => {
    expect(() => parseAvro(schema, [], noRefs, { normalize: true })).not.toThrow();
  });
});

describe('parseAvro with references', () => {
  const address = '{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"},{"name":"country","type":"com.acme.Country"}]}';
  const country = '{"type":"enum","name":"Country","namespace":"com.acme","symbols":["FR","DE"]}';
  const user = '{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"},{"name":"work","type":["null","com.acme.Address"],"default":null}]}';
  const countryRef: SchemaReference = { name: 'com.acme.Country', subject: 'country-value', version: 1 };
  const addressRef: SchemaReference = { name: 'com.acme.Address', subject: 'address-value', version: 2 };
  const store: Record<string, string> = { 'country-value/1': country, 'address-value/2': address };
  const resolve = (r: SchemaReference): string | undefined => store[`${r.subject}/${r.version}`];
  const referencesOf = (r: SchemaReference): SchemaReference[] => (r.subject === 'address-value' ? [countryRef] : []);

  it('resolves a record referencing a named type registered under another subject, printing it by name', () => {
    const r = parseAvro(user, [addressRef], resolve, { normalize: true, referencesOf });
    expect(r.canonical).toBe(
      '{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"},{"name":"work","type":["null","Address"],"default":null}]}',
    );
    expect(r.normalized).toBe(r.canonical);
  });

  it('resolves references given flat, in dependency order', () => {
    expect(() => parseAvro(user, [countryRef, addressRef], resolve, { normalize: false })).not.toThrow();
  });

  it('fails clearly when a reference cannot be resolved', () => {
    expect(() => parseAvro(user, [addressRef], () => undefined, { normalize: false })).toThrow(
      "Invalid schema: reference com.acme.Address (subject 'address-value' version 2) could not be resolved",
    );
  });

  it('fails when the referenced type is missing (reference not declared)', () => {
    expect(() => parseAvro(user, [], resolve, { normalize: false })).toThrow(InvalidSchemaError);
  });

  it('fails when a nested reference is missing', () => {
    expect(() => parseAvro(user, [addressRef], resolve, { normalize: false })).toThrow(/Invalid referenced schema com.acme.Address.*Undefined name: "com.acme.Country"/);
  });

  it('rejects circular references', () => {
    const loop = (r: SchemaReference): SchemaReference[] => (r.subject === 'address-value' ? [addressRef] : []);
    expect(() => parseAvro(user, [addressRef], resolve, { normalize: false, referencesOf: loop })).toThrow(/Circular schema reference/);
  });

  it('checks compatibility of schemas with references', () => {
    const user2 = user.replace('"default":null}]}', '"default":null},{"name":"age","type":"int"}]}');
    const candidate = { schema: user2, references: [addressRef], resolve, referencesOf };
    const previous = [{ schema: user, references: [addressRef], resolve, referencesOf, version: 1 }];
    const result = checkCompatibility(candidate, previous, 'BACKWARD');
    expect(result.compatible).toBe(false);
    expect(result.messages[0]).toContain("The field 'age' at path '/fields/2'");
    expect(checkCompatibility(candidate, previous, 'FORWARD').compatible).toBe(true);
  });
});
