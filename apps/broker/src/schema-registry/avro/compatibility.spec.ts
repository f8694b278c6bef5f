/**
 * Compatibility table: schema pairs (old -> new) with the expected outcome of the two
 * base directions; every level is derived from them (BACKWARD = new reads old, FORWARD =
 * old reads new, FULL = both, NONE = always, transitive = plain for a one-version
 * history). Where avsc's resolver applies without a known Confluent difference, the
 * backward verdict is cross-checked against `Type#createResolver`.
 */
import * as avro from 'avsc';
import { checkCompatibility, CompatibilityLevel, IncompatibilityType, ParsedInput, parseAvro, readerWriterIncompatibilities } from './index';
import { parseInput } from './compatibility-check';

type Json = Record<string, unknown> | unknown[] | string;

const rec = (fields: Json[], extra: Record<string, unknown> = {}): Json => ({ type: 'record', name: 'R', namespace: 't', fields, ...extra });
const f = (name: string, type: Json, extra: Record<string, unknown> = {}): Json => ({ name, type, ...extra });
const enm = (symbols: string[], extra: Record<string, unknown> = {}): Json => ({ type: 'enum', name: 'E', symbols, ...extra });
const inner = (fields: Json[], extra: Record<string, unknown> = {}): Json => ({ type: 'record', name: 'Inner', fields, ...extra });
const dec = (precision: number, scale: number): Json => ({ type: 'bytes', logicalType: 'decimal', precision, scale });
const list = (extraFields: Json[]): Json => ({
  type: 'record',
  name: 'Node',
  fields: [f('v', 'int'), f('next', ['null', 'Node'], { default: null }), ...extraFields],
});

interface Row {
  rule: string;
  old: Json;
  new: Json;
  /** new reads old */
  backward: boolean;
  /** old reads new */
  forward: boolean;
  /** incompatibility types expected in the backward direction */
  backwardTypes?: IncompatibilityType[];
  /** incompatibility types expected in the forward direction */
  forwardTypes?: IncompatibilityType[];
  /** why avsc's resolver disagrees with Confluent here (skips the cross-check) */
  avscDiffers?: string;
}

const one = (t: Json): Json => rec([f('a', t)]);

const ROWS: Row[] = [
  { rule: 'identical record', old: rec([f('a', 'int')]), new: rec([f('a', 'int')]), backward: true, forward: true },
  { rule: 'add field with default', old: rec([f('a', 'int')]), new: rec([f('a', 'int'), f('b', 'string', { default: 'x' })]), backward: true, forward: true },
  {
    rule: 'add field without default',
    old: rec([f('a', 'int')]),
    new: rec([f('a', 'int'), f('b', 'string')]),
    backward: false,
    forward: true,
    backwardTypes: ['READER_FIELD_MISSING_DEFAULT_VALUE'],
  },
  { rule: 'remove field that had a default', old: rec([f('a', 'int'), f('b', 'string', { default: 'x' })]), new: rec([f('a', 'int')]), backward: true, forward: true },
  {
    rule: 'remove field without default',
    old: rec([f('a', 'int'), f('b', 'string')]),
    new: rec([f('a', 'int')]),
    backward: true,
    forward: false,
    forwardTypes: ['READER_FIELD_MISSING_DEFAULT_VALUE'],
  },
  { rule: 'promote int -> long', old: one('int'), new: one('long'), backward: true, forward: false, forwardTypes: ['TYPE_MISMATCH'] },
  { rule: 'demote long -> int', old: one('long'), new: one('int'), backward: false, forward: true, backwardTypes: ['TYPE_MISMATCH'] },
  { rule: 'promote int -> float', old: one('int'), new: one('float'), backward: true, forward: false },
  { rule: 'promote int -> double', old: one('int'), new: one('double'), backward: true, forward: false },
  { rule: 'promote long -> float', old: one('long'), new: one('float'), backward: true, forward: false },
  { rule: 'promote long -> double', old: one('long'), new: one('double'), backward: true, forward: false },
  { rule: 'promote float -> double', old: one('float'), new: one('double'), backward: true, forward: false },
  { rule: 'demote double -> float', old: one('double'), new: one('float'), backward: false, forward: true },
  { rule: 'string -> bytes', old: one('string'), new: one('bytes'), backward: true, forward: true },
  { rule: 'bytes -> string', old: one('bytes'), new: one('string'), backward: true, forward: true },
  { rule: 'string -> int', old: one('string'), new: one('int'), backward: false, forward: false, backwardTypes: ['TYPE_MISMATCH'], forwardTypes: ['TYPE_MISMATCH'] },
  { rule: 'boolean -> string', old: one('boolean'), new: one('string'), backward: false, forward: false },
  {
    rule: 'non-union -> union containing it',
    old: one('string'),
    new: one(['null', 'string']),
    backward: true,
    forward: false,
    forwardTypes: ['TYPE_MISMATCH'],
  },
  {
    rule: 'union -> one of its branches',
    old: one(['null', 'string']),
    new: one('string'),
    backward: false,
    forward: true,
    backwardTypes: ['TYPE_MISMATCH'],
  },
  {
    rule: 'union gains a branch',
    old: one(['null', 'string']),
    new: one(['null', 'string', 'int']),
    backward: true,
    forward: false,
    forwardTypes: ['MISSING_UNION_BRANCH'],
  },
  {
    rule: 'union loses a branch',
    old: one(['null', 'string', 'int']),
    new: one(['null', 'string']),
    backward: false,
    forward: true,
    backwardTypes: ['MISSING_UNION_BRANCH'],
  },
  { rule: 'union branches reordered', old: one(['null', 'string']), new: one(['string', 'null']), backward: true, forward: true },
  { rule: 'union branch promoted int -> long', old: one(['int', 'string']), new: one(['long', 'string']), backward: true, forward: false },
  { rule: 'reader union with a promotable branch', old: one('int'), new: one(['null', 'double']), backward: true, forward: false },
  { rule: 'enum gains a symbol', old: one(enm(['A', 'B'])), new: one(enm(['A', 'B', 'C'])), backward: true, forward: false, forwardTypes: ['MISSING_ENUM_SYMBOLS'] },
  {
    rule: 'enum with reader default gains a symbol',
    old: one(enm(['A', 'B'], { default: 'A' })),
    new: one(enm(['A', 'B', 'C'], { default: 'A' })),
    backward: true,
    forward: true,
  },
  { rule: 'enum loses a symbol', old: one(enm(['A', 'B', 'C'])), new: one(enm(['A', 'B'])), backward: false, forward: true, backwardTypes: ['MISSING_ENUM_SYMBOLS'] },
  {
    rule: 'enum loses a symbol, new enum has a default',
    old: one(enm(['A', 'B', 'C'])),
    new: one(enm(['A', 'B'], { default: 'A' })),
    backward: true,
    forward: true,
  },
  { rule: 'enum renamed', old: one(enm(['A'])), new: one({ ...(enm(['A']) as object), name: 'F' }), backward: false, forward: false, backwardTypes: ['NAME_MISMATCH'] },
  {
    rule: 'enum renamed with alias',
    old: one(enm(['A'])),
    new: one({ ...(enm(['A']) as object), name: 'F', aliases: ['E'] }),
    backward: true,
    forward: false,
    forwardTypes: ['NAME_MISMATCH'],
  },
  { rule: 'record renamed', old: rec([f('a', 'int')]), new: rec([f('a', 'int')], { name: 'S' }), backward: false, forward: false, backwardTypes: ['NAME_MISMATCH'] },
  {
    rule: 'record renamed with alias (full name)',
    old: rec([f('a', 'int')]),
    new: rec([f('a', 'int')], { name: 'S', aliases: ['t.R'] }),
    backward: true,
    forward: false,
    forwardTypes: ['NAME_MISMATCH'],
  },
  {
    rule: 'record namespace changed (unqualified names match)',
    old: rec([f('a', 'int')]),
    new: rec([f('a', 'int')], { namespace: 'u' }),
    backward: true,
    forward: true,
    avscDiffers: 'avsc matches names namespace-strictly',
  },
  {
    rule: 'field renamed without alias',
    old: rec([f('a', 'int')]),
    new: rec([f('b', 'int')]),
    backward: false,
    forward: false,
    backwardTypes: ['READER_FIELD_MISSING_DEFAULT_VALUE'],
    forwardTypes: ['READER_FIELD_MISSING_DEFAULT_VALUE'],
  },
  { rule: 'field renamed with alias', old: rec([f('a', 'int')]), new: rec([f('b', 'int', { aliases: ['a'] })]), backward: true, forward: false },
  {
    rule: 'fixed size changed',
    old: one({ type: 'fixed', name: 'X', size: 4 }),
    new: one({ type: 'fixed', name: 'X', size: 8 }),
    backward: false,
    forward: false,
    backwardTypes: ['FIXED_SIZE_MISMATCH'],
  },
  {
    rule: 'fixed renamed',
    old: one({ type: 'fixed', name: 'X', size: 4 }),
    new: one({ type: 'fixed', name: 'Y', size: 4 }),
    backward: false,
    forward: false,
    backwardTypes: ['NAME_MISMATCH'],
  },
  { rule: 'fixed -> bytes', old: one({ type: 'fixed', name: 'X', size: 4 }), new: one('bytes'), backward: false, forward: false, backwardTypes: ['TYPE_MISMATCH'] },
  { rule: 'array items int -> long', old: one({ type: 'array', items: 'int' }), new: one({ type: 'array', items: 'long' }), backward: true, forward: false },
  {
    rule: 'map values string -> int',
    old: one({ type: 'map', values: 'string' }),
    new: one({ type: 'map', values: 'int' }),
    backward: false,
    forward: false,
    backwardTypes: ['TYPE_MISMATCH'],
  },
  { rule: 'array -> map', old: one({ type: 'array', items: 'int' }), new: one({ type: 'map', values: 'int' }), backward: false, forward: false },
  {
    rule: 'nested record gains a required field',
    old: one(inner([f('x', 'int')])),
    new: one(inner([f('x', 'int'), f('y', 'int')])),
    backward: false,
    forward: true,
    backwardTypes: ['READER_FIELD_MISSING_DEFAULT_VALUE'],
  },
  {
    rule: 'record inside a union gains a defaulted field',
    old: one(['null', inner([f('x', 'int')])]),
    new: one(['null', inner([f('x', 'int'), f('y', 'int', { default: 0 })])]),
    backward: true,
    forward: true,
  },
  {
    rule: 'record inside a union gains a required field',
    old: one(['null', inner([f('x', 'int')])]),
    new: one(['null', inner([f('x', 'int'), f('y', 'int')])]),
    backward: false,
    forward: true,
    backwardTypes: ['MISSING_UNION_BRANCH'],
  },
  {
    rule: 'decimal precision changed',
    old: one(dec(10, 2)),
    new: one(dec(12, 2)),
    backward: false,
    forward: false,
    backwardTypes: ['TYPE_MISMATCH'],
    avscDiffers: 'avsc ignores decimal precision/scale',
  },
  { rule: 'decimal scale changed', old: one(dec(10, 2)), new: one(dec(10, 3)), backward: false, forward: false, avscDiffers: 'avsc ignores decimal precision/scale' },
  { rule: 'decimal unchanged', old: one(dec(10, 2)), new: one(dec(10, 2)), backward: true, forward: true },
  { rule: 'bytes -> decimal bytes', old: one('bytes'), new: one(dec(10, 2)), backward: true, forward: true },
  {
    rule: 'timestamp-millis -> timestamp-micros (same underlying long)',
    old: one({ type: 'long', logicalType: 'timestamp-millis' }),
    new: one({ type: 'long', logicalType: 'timestamp-micros' }),
    backward: true,
    forward: true,
  },
  {
    rule: 'add field with a default Confluent accepts ("null" for ["null","string"])',
    old: rec([f('a', 'int')]),
    new: rec([f('a', 'int'), f('b', ['null', 'string'], { default: 'null' })]),
    backward: true,
    forward: true,
    avscDiffers: 'avsc rejects the default itself',
  },
  { rule: 'recursive type gains a defaulted field', old: list([]), new: list([f('w', 'int', { default: 1 })]), backward: true, forward: true },
  {
    rule: 'recursive type gains a required field',
    old: list([]),
    new: list([f('w', 'int')]),
    backward: false,
    forward: true,
    backwardTypes: ['READER_FIELD_MISSING_DEFAULT_VALUE'],
  },
  { rule: 'top-level string -> int', old: 'string', new: 'int', backward: false, forward: false },
  { rule: 'top-level string -> bytes', old: 'string', new: 'bytes', backward: true, forward: true },
  { rule: 'top-level record -> nullable record', old: rec([f('a', 'int')]), new: ['null', rec([f('a', 'int')])], backward: true, forward: false },
  { rule: 'fields reordered', old: rec([f('a', 'int'), f('b', 'string')]), new: rec([f('b', 'string'), f('a', 'int')]), backward: true, forward: true },
  { rule: 'record field -> enum field', old: one(inner([f('x', 'int')])), new: one(enm(['A'])), backward: false, forward: false },
  { rule: 'field default changed', old: rec([f('a', 'int', { default: 1 })]), new: rec([f('a', 'int', { default: 2 })]), backward: true, forward: true },
  { rule: 'doc and custom props changed', old: rec([f('a', 'int')]), new: rec([f('a', 'int', { doc: 'x', foo: 'bar' })], { doc: 'R' }), backward: true, forward: true },
];

const input = (schema: Json, version?: number): ParsedInput => ({
  schema: typeof schema === 'string' ? JSON.stringify(schema) : JSON.stringify(schema),
  references: [],
  resolve: () => undefined,
  version,
});

const ALL_LEVELS: CompatibilityLevel[] = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

function expected(row: Row, level: CompatibilityLevel): boolean {
  if (level === 'NONE') return true;
  if (level.startsWith('BACKWARD')) return row.backward;
  if (level.startsWith('FORWARD')) return row.forward;
  return row.backward && row.forward;
}

describe('Avro compatibility table', () => {
  it('has at least 40 pairs', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  describe.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    it.each(ALL_LEVELS)('%s', (level) => {
      const result = checkCompatibility(input(row.new), [input(row.old, 1)], level);
      expect({ compatible: result.compatible, messages: result.messages }).toEqual({
        compatible: expected(row, level),
        messages: expected(row, level) ? [] : expect.any(Array),
      });
      if (!result.compatible) expect(result.messages.length).toBeGreaterThan(0);
    });

    it('reports the expected incompatibility types', () => {
      const oldS = parseInput(input(row.old));
      const newS = parseInput(input(row.new));
      const back = readerWriterIncompatibilities(newS, oldS).map((i) => i.type);
      const fwd = readerWriterIncompatibilities(oldS, newS).map((i) => i.type);
      if (row.backwardTypes) expect(back).toEqual(row.backwardTypes);
      if (row.forwardTypes) expect(fwd).toEqual(row.forwardTypes);
      expect(back.length === 0).toBe(row.backward);
      expect(fwd.length === 0).toBe(row.forward);
    });

    if (!row.avscDiffers) {
      it('agrees with avsc createResolver (backward direction)', () => {
        const canon = (s: Json): unknown => JSON.parse(parseAvro(JSON.stringify(s), [], () => undefined, { normalize: false }).canonical);
        const reader = avro.Type.forSchema(canon(row.new) as avro.Schema);
        const writer = avro.Type.forSchema(canon(row.old) as avro.Schema);
        const resolves = (() => {
          try {
            reader.createResolver(writer);
            return true;
          } catch {
            return false;
          }
        })();
        expect(resolves).toBe(row.backward);
      });
    }
  });
});

describe('Avro compatibility across histories', () => {
  const v1 = rec([f('a', 'int')]);
  const v2 = rec([f('a', 'int'), f('b', 'string', { default: 'x' })]);
  const v3 = rec([f('a', 'int'), f('b', 'string')]);

  it('BACKWARD passes against the latest while BACKWARD_TRANSITIVE catches the first version', () => {
    const history = [input(v1, 1), input(v2, 2)];
    expect(checkCompatibility(input(v3), history, 'BACKWARD')).toEqual({ compatible: true, messages: [] });
    const transitive = checkCompatibility(input(v3), history, 'BACKWARD_TRANSITIVE');
    expect(transitive.compatible).toBe(false);
    expect(transitive.messages).toEqual([
      "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'b', oldSchemaVersion:1, compatibility:'BACKWARD_TRANSITIVE'}",
    ]);
  });

  it('FORWARD passes against the latest while FORWARD_TRANSITIVE catches the first version', () => {
    const w1 = rec([f('a', 'int'), f('b', 'string')]);
    const w2 = rec([f('a', 'int'), f('b', 'string', { default: '' })]);
    const w3 = rec([f('a', 'int')]);
    const history = [input(w1, 1), input(w2, 2)];
    expect(checkCompatibility(input(w3), history, 'FORWARD').compatible).toBe(true);
    const transitive = checkCompatibility(input(w3), history, 'FORWARD_TRANSITIVE');
    expect(transitive.compatible).toBe(false);
    expect(transitive.messages).toHaveLength(1);
    expect(transitive.messages[0]).toContain("in the old schema has no default value and is missing in the new schema");
    expect(transitive.messages[0]).toContain('oldSchemaVersion:1');
  });

  it('FULL passes against the latest while FULL_TRANSITIVE catches a type change two versions back', () => {
    const x1 = rec([f('a', 'int'), f('b', 'int', { default: 0 })]);
    const x2 = rec([f('a', 'int')]);
    const x3 = rec([f('a', 'int'), f('b', 'string', { default: '' })]);
    const history = [input(x1, 1), input(x2, 2)];
    expect(checkCompatibility(input(x3), history, 'FULL').compatible).toBe(true);
    const transitive = checkCompatibility(input(x3), history, 'FULL_TRANSITIVE');
    expect(transitive.compatible).toBe(false);
    // both directions fail: one message each
    expect(transitive.messages).toHaveLength(2);
    expect(transitive.messages.every((m) => m.includes("errorType:'TYPE_MISMATCH'") && m.includes("path '/fields/1/type'"))).toBe(true);
  });

  it('plain levels look only at the latest version', () => {
    const history = [input(rec([f('a', 'string')]), 1), input(v1, 2)];
    expect(checkCompatibility(input(v1), history, 'BACKWARD').compatible).toBe(true);
    expect(checkCompatibility(input(v1), history, 'BACKWARD_TRANSITIVE').compatible).toBe(false);
  });

  it('a compatible evolution passes every level', () => {
    const y3 = rec([f('a', 'int'), f('b', 'string', { default: 'x' }), f('c', ['null', 'long'], { default: null })]);
    for (const level of ALL_LEVELS) expect(checkCompatibility(input(y3), [input(v1), input(v2)], level).compatible).toBe(true);
  });

  it('NONE and an empty history are always compatible', () => {
    expect(checkCompatibility(input('int'), [input('string')], 'NONE')).toEqual({ compatible: true, messages: [] });
    expect(checkCompatibility(input('int'), [], 'FULL_TRANSITIVE')).toEqual({ compatible: true, messages: [] });
  });

  it('collects every incompatibility, not just the first', () => {
    const oldS = rec([f('a', 'int'), f('e', enm(['A', 'B']))]);
    const newS = rec([f('a', 'string'), f('e', enm(['A'])), f('z', 'int')], { name: 'S' });
    const result = checkCompatibility(input(newS), [input(oldS)], 'BACKWARD');
    expect(result.messages.map((m) => /errorType:'([A-Z_]+)'/.exec(m)?.[1])).toEqual([
      'NAME_MISMATCH',
      'TYPE_MISMATCH',
      'MISSING_ENUM_SYMBOLS',
      'READER_FIELD_MISSING_DEFAULT_VALUE',
    ]);
    expect(result.messages[2]).toContain("The new schema is missing enum symbols '[B]' at path '/fields/1/type/symbols' in the old schema");
    expect(result.messages[0]).toContain('oldSchemaIndex:0');
  });

  it('labels decimal changes clearly', () => {
    const result = checkCompatibility(input(one(dec(10, 2))), [input(one(dec(12, 4)), 7)], 'BACKWARD');
    expect(result.messages).toEqual([
      "{errorType:'TYPE_MISMATCH', description:'The decimal precision or scale at path '/fields/0/type' in the new schema does not match the old schema', additionalInfo:'reader type: decimal(10,2) not compatible with writer type: decimal(12,4)', oldSchemaVersion:7, compatibility:'BACKWARD'}",
    ]);
  });
});
