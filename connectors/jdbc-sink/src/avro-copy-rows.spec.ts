import * as avsc from 'avsc';
import { FakeSchemaRegistry } from '@millrace/schema-serde/testing';
import { encodeFrame, SchemaRegistryClient } from '@millrace/schema-serde';
import { AvroConverter, ConverterError, hasRawAvroValue, NEEDS_ASYNC, unscaledToDecimal, type ConnectSchema, type RawAvroSchema, type SinkRecord } from '@millrace/connect-sdk';
import { rowSchema } from '@millrace/connect-sdk/testing';
import { prng } from '@millrace/testing';
import { buildFieldsMetadata, lastPerKey, type FieldsOptions, type SinkColumn } from '@millrace/sink-rows';
import { AvroCopyRows } from './avro-copy-rows';
import { sqlRow } from './batch-writer';
import { encodeCopyRows } from './copy-text';
import { PostgresSinkDialect } from './dialect';
import { lastRowPerKey, type CopyRows } from './copy-buffer';

const s = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: true, ...extra });

/** Every type the direct path covers (the shared ROW_FIELDS and more Debezium temporal types), most of them optional. */
const SCHEMA: ConnectSchema = rowSchema('row', [
  ['dbz_date', s('int32', { name: 'io.debezium.time.Date' })],
  ['dbz_time', s('int32', { name: 'io.debezium.time.Time' })],
  ['dbz_micro_time', s('int64', { name: 'io.debezium.time.MicroTime' })],
  ['dbz_ts', s('int64', { name: 'io.debezium.time.Timestamp' })],
  ['label', s('string', { name: 'some.custom.Name' })],
]);

const TEXT_PIECES = ['a', 'Z', ' ', '\t', '\n', '\r', '\\', '\\N', 'é', 'ü', '漢', '😀', '"', "'", ',', '|', 'x'.repeat(40)];

function generator(seed: number) {
  const rnd = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  const text = () => Array.from({ length: int(0, 8) }, () => pick(TEXT_PIECES)).join('');
  const bigUnscaled = (digits: number) => {
    let v = 0n;
    for (let i = int(1, digits); i > 0; i--) v = v * 10n + BigInt(int(0, 9));
    return rnd() < 0.5 ? -v : v;
  };
  const int64 = (): number | bigint =>
    pick<() => number | bigint>([
      () => 0,
      () => -1,
      () => int(-1000, 1000),
      () => Math.floor((rnd() - 0.5) * 2 ** 53),
      () => Number.MAX_SAFE_INTEGER,
      () => -Number.MAX_SAFE_INTEGER,
      () => 2n ** 63n - 1n,
      () => -(2n ** 63n),
      () => 2n ** 53n,
      () => -(2n ** 53n),
      () => BigInt(Math.floor(rnd() * 2 ** 31)) * BigInt(Math.floor(rnd() * 2 ** 31)) * (rnd() < 0.5 ? -1n : 1n),
    ])();
  const float64 = () => pick([0, -0, 1.5, -1.5e-7, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, Number.MAX_VALUE, (rnd() - 0.5) * 10 ** int(-20, 20)]);
  const values: Record<string, () => unknown> = {
    i8: () => int(-128, 127),
    i16: () => int(-32768, 32767),
    i32: () => pick([0, -1, 2147483647, -2147483648, int(-1e9, 1e9)]),
    big: int64,
    f32: () => Math.fround(float64()),
    f64: float64,
    flag: () => rnd() < 0.5,
    text,
    blob: () => Buffer.from(Array.from({ length: int(0, 12) }, () => int(0, 255))),
    amount: () => unscaledToDecimal(pick([0n, 1n, -1n, 99n, -100n, 9_999_999_999n, -9_999_999_999n, bigUnscaled(10)]), 2),
    whole: () => unscaledToDecimal(bigUnscaled(30), 0),
    fine: () => unscaledToDecimal(pick([0n, -1n, 1n, 10n ** 37n, bigUnscaled(38), bigUnscaled(5)]), 10),
    day: () => new Date(int(-800_000, 3_000_000) * 86_400_000),
    clock: () => new Date(int(0, 86_399_999)),
    at: () => new Date(int(-62_000_000_000_000, 250_000_000_000_000)),
    dbz_date: () => int(-800_000, 3_000_000),
    dbz_time: () => int(0, 86_399_999),
    dbz_micro_time: () => int(0, 86_400_000_000),
    dbz_ts: () => int(-62_000_000_000_000, 250_000_000_000_000),
    micros: () => Math.floor((rnd() - 0.3) * 2 ** 53),
    zoned: () => `2024-0${int(1, 9)}-1${int(0, 9)}T0${int(0, 9)}:00:00.${String(int(0, 999999)).padStart(6, '0')}Z`,
    label: text,
  };
  return (id: number): Record<string, unknown> => {
    const row: Record<string, unknown> = { id, name: text() };
    for (const [name, make] of Object.entries(values)) row[name] = rnd() < 0.15 ? null : make();
    return row;
  };
}

const dialect = new PostgresSinkDialect();

/** The COPY text of direct rows (undefined when the direct path declined). */
const textOf = (rows: CopyRows | null): string | undefined => rows?.data.toString('utf8');

/** Each row's text, cut at its end offset. */
const linesOf = (rows: CopyRows): string[] => Array.from(rows.ends, (end, i) => rows.data.toString('utf8', i === 0 ? 0 : rows.ends[i - 1], end));

function record(topic: string, offset: number, key: unknown, keySchema: ConnectSchema | null, bytes: Buffer, raw: RawAvroSchema, value: unknown): SinkRecord {
  return {
    topic,
    kafkaPartition: 0,
    kafkaOffset: offset,
    originalTopic: topic,
    originalKafkaPartition: 0,
    originalKafkaOffset: offset,
    keySchema,
    key,
    valueSchema: raw.connect,
    value,
    timestamp: null,
    headers: [],
    rawValue: bytes,
    rawSchema: raw,
  };
}

describe('AvroCopyRows: Avro binary straight to COPY text', () => {
  const registry = new FakeSchemaRegistry();
  beforeAll(() => registry.start());
  afterAll(() => registry.stop());

  function converter(): AvroConverter {
    const c = new AvroConverter();
    c.configure({ 'schema.registry.url': registry.url }, false);
    return c;
  }

  /** Records of generated rows as the runtime hands them over (raw bytes + the value the converter decodes from them). */
  async function generated(topic: string, schema: ConnectSchema, rows: Record<string, unknown>[]): Promise<SinkRecord[]> {
    const producer = converter();
    const consumer = converter();
    const out: SinkRecord[] = [];
    for (let i = 0; i < rows.length; i++) {
      const bytes = (await producer.fromConnectData(topic, schema, rows[i])) as Buffer;
      const decoded = await consumer.toConnectData(topic, bytes);
      const raw = consumer.rawAvroSchemaSync(bytes);
      if (raw === NEEDS_ASYNC) throw new Error('the schema id should be resolved after toConnectData');
      out.push(record(topic, i, null, null, bytes, raw, decoded.value));
    }
    return out;
  }

  const generalText = (columns: readonly SinkColumn[], records: readonly SinkRecord[]) => [...encodeCopyRows(records.map((r) => sqlRow(dialect, columns, r)))].join('');

  it.each([1, 2, 3])('writes the same bytes as the general path for generated records of every covered type (seed %i)', async (seed) => {
    const make = generator(seed);
    const records = await generated(`gen-${seed}`, SCHEMA, Array.from({ length: 400 }, (_, i) => make(i)));
    const opts: FieldsOptions = { pkMode: 'record_value', pkFields: ['id'], fieldsWhitelist: [] };
    const columns = buildFieldsMetadata(opts, null, records[0].valueSchema, false).allColumns;
    const rows = new AvroCopyRows(dialect).rows(records, columns);
    expect(rows).not.toBeNull();
    const general = generalText(columns, records);
    expect(textOf(rows)).toBe(general);
    expect(rows?.data.equals(Buffer.from(general))).toBe(true);
    expect(linesOf(rows as CopyRows)).toEqual(general.split(/(?<=\n)/));
    // the generated data reaches the cases it is meant to cover
    expect(general).toContain('\\N');
    expect(general).toContain('\\\\x');
    expect(general).toContain('\\t');
    expect(general).toContain('9223372036854775807');
    expect(general).toContain('-9223372036854775808');
  });

  it('mixes key and Kafka-coordinate columns with value columns, whitelisted, in their column order', async () => {
    const make = generator(7);
    const records = await generated('coords', SCHEMA, Array.from({ length: 50 }, (_, i) => make(i)));
    const valueSchema = records[0].valueSchema;
    for (const opts of [
      { pkMode: 'kafka', pkFields: [], fieldsWhitelist: ['amount', 'text', 'at'] },
      { pkMode: 'record_value', pkFields: ['name', 'id'], fieldsWhitelist: [] },
      { pkMode: 'none', pkFields: [], fieldsWhitelist: [] },
    ] as FieldsOptions[]) {
      const columns = buildFieldsMetadata(opts, null, valueSchema, false).allColumns;
      const rows = new AvroCopyRows(dialect).rows(records, columns);
      expect(textOf(rows)).toBe(generalText(columns, records));
    }
  });

  it('deduplicates lines by their key text as lastPerKey deduplicates rows by their key values', async () => {
    const make = generator(11);
    const rows = Array.from({ length: 300 }, (_, i) => make(i % 37));
    const records = await generated('dedup', SCHEMA, rows);
    for (const pkFields of [['id'], ['id', 'flag'], ['f64']]) {
      const columns = buildFieldsMetadata({ pkMode: 'record_value', pkFields, fieldsWhitelist: [] }, null, records[0].valueSchema, false).allColumns;
      const rows = new AvroCopyRows(dialect).rows(records, columns, pkFields.length) as CopyRows;
      const general = [...encodeCopyRows(lastPerKey(records.map((r) => sqlRow(dialect, columns, r)), pkFields.length))].join('');
      const distinct = lastRowPerKey(rows);
      expect(distinct.count).toBeLessThan(rows.count);
      const first = linesOf(rows)[0];
      expect(rows.data.toString('utf8', 0, rows.keyEnds?.[0])).toBe(first.split('\t').slice(0, pkFields.length).join('\t'));
      expect(textOf(distinct)).toBe(general);
      expect(linesOf(distinct)).toHaveLength(distinct.count);
    }
  });

  it('reads plain Avro writer schemas too: unions with null second, Avro logical types', async () => {
    const avroSchema = {
      type: 'record',
      name: 'plain',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'note', type: ['string', 'null'] },
        { name: 'price', type: [{ type: 'bytes', logicalType: 'decimal', precision: 12, scale: 3 }, 'null'] },
        { name: 'born', type: ['null', { type: 'int', logicalType: 'date' }] },
        { name: 'seen', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'ok', type: 'boolean' },
        { name: 'ratio', type: 'float' },
      ],
    };
    const client = new SchemaRegistryClient({ baseUrl: registry.url });
    const id = await client.register('plain-value', JSON.stringify(avroSchema));
    const type = avsc.Type.forSchema(avroSchema as avsc.Schema);
    const rnd = prng(5);
    const consumer = converter();
    const records: SinkRecord[] = [];
    for (let i = 0; i < 200; i++) {
      const unscaled = BigInt(Math.floor((rnd() - 0.5) * 1e12));
      const bytesOf = (v: bigint) => {
        const hex = (v < 0n ? (1n << 64n) + v : v).toString(16).padStart(16, '0');
        return Buffer.from(hex, 'hex');
      };
      const value = {
        id: i * 1_000_003 - 50_000_000,
        note: rnd() < 0.2 ? null : `n\t${i}\\${'é'.repeat(i % 3)}\n`,
        price: rnd() < 0.2 ? null : bytesOf(unscaled),
        born: rnd() < 0.2 ? null : Math.floor((rnd() - 0.5) * 100_000),
        seen: Math.floor((rnd() - 0.2) * 4e12),
        ok: rnd() < 0.5,
        ratio: Math.fround((rnd() - 0.5) * 1000),
      };
      const bytes = encodeFrame(id, type.toBuffer(value));
      const decoded = await consumer.toConnectData('plain', bytes);
      records.push(record('plain', i, null, null, bytes, consumer.rawAvroSchemaSync(bytes) as RawAvroSchema, decoded.value));
    }
    const columns = buildFieldsMetadata({ pkMode: 'record_value', pkFields: ['id'], fieldsWhitelist: [] }, null, records[0].valueSchema, false).allColumns;
    const rows = new AvroCopyRows(dialect).rows(records, columns);
    expect(rows).not.toBeNull();
    expect(textOf(rows)).toBe(generalText(columns, records));
  });

  it('writes invalid UTF-8 in a string as the general path does (decoded with replacement characters)', async () => {
    const avroSchema = { type: 'record', name: 'utf', fields: [{ name: 'id', type: 'long' }, { name: 's', type: 'string' }] };
    const client = new SchemaRegistryClient({ baseUrl: registry.url });
    const id = await client.register('utf-value', JSON.stringify(avroSchema));
    // Avro encodes bytes and string alike: bytes values give arbitrary string bytes.
    const asBytes = avsc.Type.forSchema({ type: 'record', name: 'utf', fields: [{ name: 'id', type: 'long' }, { name: 's', type: 'bytes' }] });
    const texts = [Buffer.from([0x61, 0xff, 0x09, 0x62]), Buffer.from([0xe6, 0xbc]), Buffer.from('ok\\é\n', 'utf8'), Buffer.from([0xc3, 0x28, 0x5c])];
    const consumer = converter();
    const records: SinkRecord[] = [];
    for (let i = 0; i < texts.length; i++) {
      const bytes = encodeFrame(id, asBytes.toBuffer({ id: i, s: texts[i] }));
      const decoded = await consumer.toConnectData('utf', bytes);
      records.push(record('utf', i, null, null, bytes, consumer.rawAvroSchemaSync(bytes) as RawAvroSchema, decoded.value));
    }
    const columns = buildFieldsMetadata({ pkMode: 'record_value', pkFields: ['id'], fieldsWhitelist: [] }, null, records[0].valueSchema, false).allColumns;
    const general = generalText(columns, records);
    expect(general).toContain('\uFFFD');
    // bytes, not decoded text: decoding would hide invalid bytes sent as they are
    expect(new AvroCopyRows(dialect).rows(records, columns)?.data.equals(Buffer.from(general))).toBe(true);
  });

  it('leaves to the general path what it does not cover: rewritten records, decoded records, schemas with other types', async () => {
    const make = generator(3);
    const records = await generated('cover', SCHEMA, [make(1), make(2)]);
    const columns = buildFieldsMetadata({ pkMode: 'none', pkFields: [], fieldsWhitelist: [] }, null, records[0].valueSchema, false).allColumns;
    const copy = new AvroCopyRows(dialect);
    const rewritten = { ...records[1], valueSchema: SCHEMA };
    expect(hasRawAvroValue(rewritten)).toBe(false);
    expect(copy.rows([records[0], rewritten], columns)).toBeNull();
    const { rawValue: _r, rawSchema: _s, ...decoded } = records[1];
    expect(copy.rows([records[0], decoded], columns)).toBeNull();

    const nested: ConnectSchema = { type: 'struct', optional: false, fields: [{ name: 'id', index: 0, schema: { type: 'int64', optional: false } }, { name: 'tags', index: 1, schema: { type: 'array', optional: false, valueSchema: { type: 'string', optional: false } } }] };
    const other = await generated('nested', nested, [{ id: 1, tags: ['a'] }]);
    const idOnly = buildFieldsMetadata({ pkMode: 'record_value', pkFields: ['id'], fieldsWhitelist: ['id'] }, null, other[0].valueSchema, false).allColumns;
    expect(copy.rows(other, idOnly)).toBeNull();
  });

  it('refuses truncated and trailing bytes with a ConverterError', async () => {
    const make = generator(9);
    const [good] = await generated('bad', SCHEMA, [make(1)]);
    const columns = buildFieldsMetadata({ pkMode: 'none', pkFields: [], fieldsWhitelist: [] }, null, good.valueSchema, false).allColumns;
    const bytes = good.rawValue as Buffer;
    const copy = new AvroCopyRows(dialect);
    expect(() => copy.rows([{ ...good, rawValue: bytes.subarray(0, bytes.length - 3) }], columns)).toThrow(ConverterError);
    expect(() => copy.rows([{ ...good, rawValue: Buffer.concat([bytes, Buffer.from([0])]) }], columns)).toThrow(ConverterError);
  });
});
