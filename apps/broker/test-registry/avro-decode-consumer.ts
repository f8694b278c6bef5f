import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';

/**
 * A separate process that decodes Avro records through the registry, to prove that data
 * written by one process is readable by another that knows only the registry URL.
 *
 * Usage: node avro-decode-consumer.js <bootstrap> <registryUrl> <topic> <count>
 * Reads <count> records of <topic> from the beginning, decodes each value (Confluent wire
 * format: 0x00, schema id int32 BE, Avro binary) with @kafkajs/confluent-schema-registry,
 * prints one JSON line `{"key","value"}` per record on stdout and exits 0; exits 1 on error
 * or after 60 s.
 */
async function main(): Promise<void> {
  const [bootstrap, registryUrl, topic, countText] = process.argv.slice(2);
  const count = Number(countText);
  const registry = new SchemaRegistry({ host: registryUrl });
  const kafka = new Kafka({ clientId: 'avro-decode-consumer', brokers: [bootstrap], logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `avro-decode-${process.pid}` });
  const timer = setTimeout(() => {
    process.stderr.write(`timed out before ${count} records\n`);
    process.exit(1);
  }, 60_000);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          if (seen >= count || message.value === null) return;
          const value: unknown = await registry.decode(message.value);
          process.stdout.write(JSON.stringify({ key: message.key?.toString() ?? null, value }) + '\n');
          seen += 1;
          if (seen === count) resolve();
        },
      })
      .catch(reject);
  });
  clearTimeout(timer);
  await consumer.disconnect();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
