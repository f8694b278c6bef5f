import * as avro from 'avsc';
import { prng, seedFrom } from '@millrace/testing';
import type { ConnectField, ConnectSchema } from '../record/connect-schema';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '../record/connect-schema';
import { rowSchema } from '../testing/row-fields';
import { ALL_TYPES_SCHEMA } from './__fixtures__/all-types';
import { compileDirectEncoder, FrameWriter, type DirectEncoder } from './avro-direct-encoder';
import { int64TypeHook } from './avro-long-type';
import { connectToAvroSchema } from './avro-schema-mapping';
import { connectToAvroValue } from './avro-value-mapping';

const s = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: true, ...extra });
const fields = (...defs: [string, ConnectSchema][]): ConnectField[] => defs.map(([name, schema], index) => ({ name, index, schema }));
const decimal = (scale: number, precision?: number): ConnectSchema =>
  s('bytes', { name: DECIMAL_LOGICAL, version: 1, parameters: precision === undefined ? { scale: String(scale) } : { scale: String(scale), 'connect.decimal.precision': String(precision) } });

/** A database row's shape (the shared ROW_FIELDS) with a nested struct: every type the direct encoder takes. */
const ROW: ConnectSchema = rowSchema('shop.orders', [['inner', s('struct', { name: 'shop.Inner', fields: fields(['x', s('float64', { optional: false })], ['tag', s('string')]) })]]);

const types = new WeakMap<ConnectSchema, avro.Type>();

/** The general path's frame: the avsc value graph encoded with the registered schema's Type. */
function generalFrame(schema: ConnectSchema, value: unknown, id: number): Buffer {
  let type = types.get(schema);
  if (!type) {
    type = avro.Type.forSchema(connectToAvroSchema(schema) as avro.Schema, { typeHook: int64TypeHook as unknown as (schema: avro.Schema, opts: object) => avro.Type | undefined });
    types.set(schema, type);
  }
  const body = type.toBuffer(connectToAvroValue(schema, value));
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, body]);
}

const hex = (b: Buffer): string => b.toString('hex');

function encoderOf(schema: ConnectSchema): DirectEncoder {
  const encoder = compileDirectEncoder(schema);
  if (!encoder) throw new Error('expected a direct encoder');
  return encoder;
}

const SAMPLE_TEXTS = ['', 'a', 'héllo wörld', '日本語のテキスト', 'emoji 😀🎉 mixed', 'x'.repeat(64), 'é'.repeat(40), '€'.repeat(30) + 'tail', 'lone \ud800 high', 'lone \udc00 low', 'ends high \ud83d', 'note ' + 'y'.repeat(200) + ' ünïcödé'];
const SAMPLE_DECIMALS: [ConnectSchema, unknown][] = [
  [decimal(2, 10), '0.00'],
  [decimal(2, 10), '-0.00'],
  [decimal(2, 10), '12345678.99'],
  [decimal(2, 10), '-12345678.99'],
  [decimal(2, 10), '1.5'],
  [decimal(2, 10), '7.'],
  [decimal(2, 10), '127.99'],
  [decimal(2, 10), '-1.28'],
  [decimal(2, 10), '1.28'],
  [decimal(2, 10), 42],
  [decimal(2, 10), -3.25],
  [decimal(2, 10), 10n],
  [decimal(2, 10), '0012.30'],
  [decimal(2, 10), '1.200'],
  [decimal(2, 10), '+5.01'],
  [decimal(2, 10), '.5'],
  [decimal(2, 10), '1e3'],
  [decimal(0, 30), '123456789012345678901234567890'],
  [decimal(0, 30), '-999999999999999'],
  [decimal(0, 30), '9999999999999999'],
  [decimal(10), '12345.0123456789'],
  [decimal(10), '-0.0000000001'],
];

describe('compileDirectEncoder', () => {
  it('writes the general path bytes for rows of every type, nulls included (seeded)', () => {
    const seed = seedFrom('DIRECT_ENCODER_SEED', 'direct encoder rows');
    const rand = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const maybe = <T>(v: T): T | null => (rand() < 0.2 ? null : v);
    const int = (bits: number): number => Math.floor(rand() * 2 ** bits) - 2 ** (bits - 1);
    const encode = encoderOf(ROW);
    const w = new FrameWriter();
    for (let i = 0; i < 2000; i++) {
      const cents = Math.floor(rand() * 2e9) - 1e9;
      const row = {
        id: pick([i, -i, 2 ** 31 + i, 2 ** 52 + i, Number.MAX_SAFE_INTEGER - i, -Number.MAX_SAFE_INTEGER + i, 9223372036854775807n, -9223372036854775808n]),
        name: pick(SAMPLE_TEXTS),
        i8: maybe(int(8)),
        i16: maybe(int(16)),
        i32: maybe(int(32)),
        big: maybe(pick([int(53), 2 ** 60, -(2 ** 60), 2n ** 62n, 0, -1, 1073741823, 1073741824, -1073741824, -1073741825])),
        f32: maybe(pick([rand(), -1e30, 0, -0, Infinity, NaN, 3.4e39])),
        f64: maybe(pick([rand() * 1e300, -Number.MIN_VALUE, 0.1, NaN])),
        flag: maybe(rand() < 0.5),
        text: maybe(pick(SAMPLE_TEXTS)),
        blob: maybe(Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)))),
        amount: maybe(`${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`),
        whole: maybe(pick(['0', String(int(50)), '123456789012345678901234567890', '-98765432109876543210'])),
        fine: maybe(pick(['0.0000000000', '-1234.5678901234', '99999.9999999999', '123456.1234567891'])),
        day: maybe(new Date(Date.UTC(1900 + Math.floor(rand() * 300), Math.floor(rand() * 12), 1 + Math.floor(rand() * 28)))),
        clock: maybe(new Date(Math.floor(rand() * 86_400_000))),
        at: maybe(pick([new Date(Math.floor(rand() * 4e12) - 1e12), Math.floor(rand() * 4e12), 1700000000000n])),
        micros: maybe(Math.floor(rand() * 4e15) - 1e15),
        zoned: maybe(`2024-0${1 + Math.floor(rand() * 9)}-01T00:00:00.${String(Math.floor(rand() * 1e6)).padStart(6, '0')}Z`),
        inner: maybe({ x: rand(), tag: maybe(pick(SAMPLE_TEXTS)) }),
      };
      const id = Math.floor(rand() * 2 ** 31);
      expect(hex(w.frame(id, encode, row))).toBe(hex(generalFrame(ROW, row, id)));
    }
  });

  it('writes the general path bytes for each sample text and decimal', () => {
    const w = new FrameWriter();
    for (const text of SAMPLE_TEXTS) {
      const schema = s('string', { optional: false });
      expect(hex(w.frame(1, encoderOf(schema), text))).toBe(hex(generalFrame(schema, text, 1)));
    }
    for (const [schema, value] of SAMPLE_DECIMALS) expect(hex(w.frame(7, encoderOf(schema), value))).toBe(hex(generalFrame(schema, value, 7)));
  });

  it('throws where the general path refuses the value, and keeps nothing of the failed frame', () => {
    const cases: [ConnectSchema, unknown][] = [
      [s('string', { optional: false }), null],
      [s('string'), 42],
      [s('int8'), 128],
      [s('int32'), 1.5],
      [s('int64'), '12'],
      [s('int64'), 2n ** 64n],
      [s('float64'), '1.0'],
      [s('boolean'), 1],
      [s('bytes'), 'not bytes'],
      [decimal(2), '1.234'],
      [decimal(2), 'abc'],
      [s('int32', { name: DATE_LOGICAL, version: 1 }), new Date(Date.UTC(2024, 0, 1, 12))],
      [s('int32', { name: TIME_LOGICAL, version: 1 }), new Date(Date.UTC(2024, 0, 1, 12))],
      [s('int64', { name: TIMESTAMP_LOGICAL, version: 1 }), new Date(NaN)],
      [s('int64', { name: TIMESTAMP_LOGICAL, version: 1 }), 2n ** 60n],
      [s('struct', { fields: fields(['a', s('int32')]) }), [1]],
    ];
    const w = new FrameWriter();
    for (const [schema, value] of cases) {
      expect(() => generalFrame(schema, value, 1)).toThrow();
      const before = w.pos;
      expect(() => w.frame(1, encoderOf(schema), value)).toThrow();
      expect(w.pos).toBe(before);
    }
    const ok = s('string', { optional: false });
    expect(hex(w.frame(3, encoderOf(ok), 'after'))).toBe(hex(generalFrame(ok, 'after', 3)));
  });

  it('leaves arrays, maps and defaults to the general path', () => {
    expect(compileDirectEncoder(ALL_TYPES_SCHEMA)).toBeNull();
    expect(compileDirectEncoder(s('array', { valueSchema: s('int32') }))).toBeNull();
    expect(compileDirectEncoder(s('map', { keySchema: s('string', { optional: false }), valueSchema: s('int32') }))).toBeNull();
    expect(compileDirectEncoder(s('struct', { fields: fields(['a', s('int32', { defaultValue: 5 })]) }))).toBeNull();
    expect(compileDirectEncoder(s('bytes', { name: DECIMAL_LOGICAL, parameters: { scale: 'x' } }))).toBeNull();
  });

  it('hands out frames that stay intact across slabs, including one larger than a slab', () => {
    const schema = s('struct', { optional: false, fields: fields(['id', s('int64', { optional: false })], ['blob', s('bytes')]) });
    const encode = encoderOf(schema);
    const w = new FrameWriter();
    const values = Array.from({ length: 3000 }, (_, i) => ({ id: i, blob: Buffer.alloc(i === 1500 ? 200_000 : i % 97, i % 251) }));
    const frames = values.map((v) => w.frame(9, encode, v));
    frames.forEach((f, i) => expect(hex(f)).toBe(hex(generalFrame(schema, values[i], 9))));
  });
});
