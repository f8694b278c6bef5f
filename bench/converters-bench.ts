import { AvroConverter, DECIMAL_LOGICAL, type ConnectSchema, type Struct } from '@millrace/connect-sdk';
import { DEBEZIUM_MICRO_TIMESTAMP, DEBEZIUM_ZONED_TIMESTAMP } from '@millrace/jdbc';
import { FakeSchemaRegistry } from '@millrace/schema-serde/testing';
import { envInt } from './env-int';

/**
 * Converter micro-benchmark (not part of npm test nor npm run bench):
 *
 *   npm run build && node -r ./scripts/register-paths.js dist/bench/converters-bench.js
 *
 * The AvroConverter on the record shape of the PG -> PG pipeline benchmark (the value of
 * a jdbc-source row: id int64, name text, amount Decimal(10,2), happened ZonedTimestamp,
 * local MicroTimestamp, 60-byte note; the key {id}): CONVERTERS_BENCH_RECORDS records
 * (default 1,000,000) encoded with fromConnectData (key and value) and decoded back with
 * toConnectData, after a warm-up that registers the schemas with an in-process fake
 * registry (no HTTP afterwards). Prints ns per record and records/s for each direction.
 */
const records = envInt('CONVERTERS_BENCH_RECORDS', 1_000_000);

const VALUE_SCHEMA: ConnectSchema = {
  type: 'struct',
  optional: false,
  name: 'bench_rows',
  fields: [
    { name: 'id', index: 0, schema: { type: 'int64', optional: false } },
    { name: 'name', index: 1, schema: { type: 'string', optional: false } },
    { name: 'amount', index: 2, schema: { type: 'bytes', optional: false, name: DECIMAL_LOGICAL, version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' } } },
    { name: 'happened', index: 3, schema: { type: 'string', optional: false, name: DEBEZIUM_ZONED_TIMESTAMP, version: 1 } },
    { name: 'local', index: 4, schema: { type: 'int64', optional: true, name: DEBEZIUM_MICRO_TIMESTAMP, version: 1 } },
    { name: 'note', index: 5, schema: { type: 'string', optional: true } },
  ],
};
const KEY_SCHEMA: ConnectSchema = { type: 'struct', optional: false, name: 'bench_rows.Key', fields: [VALUE_SCHEMA.fields![0]] };

function row(i: number): { key: Struct; value: Struct } {
  return {
    key: { id: i },
    value: {
      id: i,
      name: `name-${i}`,
      amount: `${(i % 100000) + 1}.${String(i % 100).padStart(2, '0')}`,
      happened: '2024-02-29T13:04:05.123456Z',
      local: 1_709_211_845_123_456 + i,
      note: 'n'.repeat(50) + String(i).padStart(10, '0'),
    },
  };
}

async function main(): Promise<void> {
  const registry = new FakeSchemaRegistry();
  await registry.start();
  const make = (isKey: boolean): AvroConverter => {
    const c = new AvroConverter();
    c.configure({ 'schema.registry.url': registry.url }, isKey);
    return c;
  };
  const [keyOut, valueOut, keyIn, valueIn] = [make(true), make(false), make(true), make(false)];
  const rows = Array.from({ length: Math.min(records, 10_000) }, (_, i) => row(i));
  const keys: Buffer[] = new Array<Buffer>(records);
  const values: Buffer[] = new Array<Buffer>(records);
  // Warm-up: registers both schemas and lets the JIT settle.
  for (let i = 0; i < 20_000; i++) {
    const r = rows[i % rows.length];
    const v = (await valueOut.fromConnectData('bench', VALUE_SCHEMA, r.value)) as Buffer;
    await valueIn.toConnectData('bench', v);
    await keyIn.toConnectData('bench', (await keyOut.fromConnectData('bench', KEY_SCHEMA, r.key)) as Buffer);
  }

  let t = process.hrtime.bigint();
  for (let i = 0; i < records; i++) {
    const r = rows[i % rows.length];
    keys[i] = (await keyOut.fromConnectData('bench', KEY_SCHEMA, r.key)) as Buffer;
    values[i] = (await valueOut.fromConnectData('bench', VALUE_SCHEMA, r.value)) as Buffer;
  }
  const encodeNs = Number(process.hrtime.bigint() - t);

  t = process.hrtime.bigint();
  let check = 0;
  for (let i = 0; i < records; i++) {
    const k = await keyIn.toConnectData('bench', keys[i]);
    const v = await valueIn.toConnectData('bench', values[i]);
    if ((k.value as Struct)['id'] === (v.value as Struct)['id']) check++;
  }
  const decodeNs = Number(process.hrtime.bigint() - t);
  await registry.stop();
  if (check !== records) throw new Error(`decoded ${check} of ${records} records intact`);

  const line = (what: string, ns: number): string => `| ${what} | ${(ns / records).toFixed(0)} | ${Math.round((records * 1e9) / ns).toLocaleString('en-US')} | ${(ns / 1e9).toFixed(2)} |`;
  process.stdout.write(
    [
      `AvroConverter, ${records.toLocaleString('en-US')} records (key + value), node ${process.version}`,
      '',
      '| direction | ns/record | records/s | total s |',
      '| --- | ---: | ---: | ---: |',
      line('fromConnectData (encode)', encodeNs),
      line('toConnectData (decode)', decodeNs),
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
