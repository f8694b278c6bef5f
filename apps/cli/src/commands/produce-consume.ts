import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Command } from 'commander';
import type { KafkaMessage } from 'kafkajs';
import { AvroSerde, MAGIC_BYTE, SchemaRegistryClient } from '@millrace/schema-serde';
import { CliError, EXIT, kafkaError, type CliContext } from '../cli-context';
import { json } from '../output';
import { positiveInt } from './topic';

/**
 * `millrace produce <topic>`: one record per stdin line (or `--value`), `key<sep>value`
 * with `--key-separator`; `--avro-schema file.avsc` encodes each line (JSON) with that
 * schema under `<topic>-value` in the registry (Confluent wire format). Acks: all.
 *
 * `millrace consume <topic>`: prints values (with `--print-key`, `key<TAB>value`; with
 * `--json`, one JSON object per line with partition, offset, timestamp, key, value,
 * headers). Values in Confluent's Avro wire format are decoded through the registry.
 * Without `--group` it reads as a throw-away group from `--from-beginning` or the end;
 * with `--group` it commits as that group. Stops after `--max-messages`, after
 * `--idle-ms` without a message, or on Ctrl-C.
 */
export function registerProduceConsume(program: Command, ctx: (cmd: Command) => CliContext): void {
  program
    .command('produce <topic>')
    .description('write records from stdin (one per line) or --value')
    .option('--value <text>', 'a single record value instead of stdin')
    .option('--key <key>', 'key of every record')
    .option('--key-separator <sep>', 'split each line into key<sep>value')
    .option('--avro-schema <file>', 'encode each line (JSON) as Avro with this schema, registered under <topic>-value')
    .action(async (topic: string, opts: { value?: string; key?: string; keySeparator?: string; avroSchema?: string }, cmd: Command) => {
      const c = ctx(cmd);
      const lines = opts.value !== undefined ? [opts.value] : await readStdinLines();
      let encode = async (v: string): Promise<Buffer | string> => v;
      if (opts.avroSchema) {
        const schema = readJsonFile(opts.avroSchema, '--avro-schema');
        const serde = new AvroSerde({ client: new SchemaRegistryClient({ baseUrl: c.registryUrl }) });
        encode = async (v) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(v);
          } catch {
            throw new CliError(`produce: line is not JSON (needed with --avro-schema): ${v.slice(0, 80)}`, EXIT.usage);
          }
          return serde.serialize(`${topic}-value`, schema as object, parsed);
        };
      }
      const messages = [];
      for (const line of lines) {
        const sep = opts.keySeparator ? line.indexOf(opts.keySeparator) : -1;
        const key = sep >= 0 ? line.slice(0, sep) : (opts.key ?? null);
        const value = sep >= 0 ? line.slice(sep + opts.keySeparator!.length) : line;
        messages.push({ key, value: await encode(value) });
      }
      const producer = c.kafka().producer({ allowAutoTopicCreation: true, idempotent: true, maxInFlightRequests: 1 });
      try {
        await producer.connect();
        const result = await producer.send({ topic, acks: -1, messages });
        c.out(c.json ? json({ topic, records: messages.length, partitions: result.map((r) => ({ partition: r.partition, baseOffset: Number(r.baseOffset) })) }) : `produced ${messages.length} records to ${topic}\n`);
      } catch (err) {
        throw kafkaError(err, `produce ${topic}`);
      } finally {
        await producer.disconnect();
      }
    });

  program
    .command('consume <topic>')
    .description('print records (Avro decoded through the registry)')
    .option('--from-beginning', 'start at the earliest offset (default: only new records)')
    .option('--group <id>', 'consume as this consumer group and commit its offsets')
    .option('--max-messages <n>', 'stop after n records', (v) => positiveInt(v, '--max-messages'))
    .option('--idle-ms <ms>', 'stop after this long without a record', (v) => positiveInt(v, '--idle-ms'))
    .option('--print-key', 'print key<TAB>value')
    .action(async (topic: string, opts: { fromBeginning?: boolean; group?: string; maxMessages?: number; idleMs?: number; printKey?: boolean }, cmd: Command) => {
      const c = ctx(cmd);
      const serde = new AvroSerde({ client: new SchemaRegistryClient({ baseUrl: c.registryUrl }), autoRegister: false });
      const decode = async (b: Buffer | null): Promise<unknown> => {
        if (b === null) return null;
        if (b.length > 5 && b[0] === MAGIC_BYTE) {
          try {
            return await serde.deserialize(b);
          } catch {
            // not Avro after all (or the registry does not know the id): shown as text
          }
        }
        return b.toString('utf8');
      };
      const consumer = c.kafka().consumer({ groupId: opts.group ?? `millrace-cli-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
      let seen = 0;
      let last = Date.now();
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      const onSignal = (): void => finish();
      process.once('SIGINT', onSignal);
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: opts.fromBeginning === true });
        await consumer.run({
          autoCommit: opts.group !== undefined,
          eachMessage: async ({ partition, message }) => {
            if (opts.maxMessages !== undefined && seen >= opts.maxMessages) return;
            seen++;
            last = Date.now();
            c.out(await render(message, partition, decode, c.json, opts.printKey === true));
            if (opts.maxMessages !== undefined && seen >= opts.maxMessages) finish();
          },
        });
        const idle = opts.idleMs;
        const timer = idle === undefined ? undefined : setInterval(() => Date.now() - last >= idle && finish(), Math.min(200, idle));
        await done;
        clearInterval(timer);
      } catch (err) {
        throw kafkaError(err, `consume ${topic}`);
      } finally {
        process.removeListener('SIGINT', onSignal);
        await consumer.disconnect();
      }
    });
}

async function render(m: KafkaMessage, partition: number, decode: (b: Buffer | null) => Promise<unknown>, asJson: boolean, printKey: boolean): Promise<string> {
  const value = await decode(m.value);
  const key = m.key === null ? null : m.key.toString('utf8');
  if (asJson) {
    const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, v === undefined ? null : String(v)]));
    return JSON.stringify({ partition, offset: Number(m.offset), timestamp: Number(m.timestamp), key, value, headers }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + '\n';
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return printKey ? `${key ?? ''}\t${text}\n` : `${text}\n`;
}

async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) process.stderr.write('reading records from stdin, one per line; end with Ctrl-D\n');
  const out: string[] = [];
  for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) if (line !== '') out.push(line);
  return out;
}

export function readJsonFile(file: string, option: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`${option} ${file}: ${(err as Error).message}`, EXIT.usage);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${option} ${file}: not JSON (${(err as Error).message})`, EXIT.usage);
  }
}
