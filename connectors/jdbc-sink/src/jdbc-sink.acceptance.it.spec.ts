import { Client } from 'pg';
import type { ConnectSchema, SinkRecord, Struct, TopicPartition } from '@millrace/connect-sdk';
import { describeSinkConnectorAcceptance } from '@millrace/connect-sdk/testing';
import { startPostgres, type EphemeralPostgres } from '@millrace/testing';
import { JDBC_SINK_PLUGIN } from './jdbc-sink.plugin';

jest.setTimeout(60_000);

let server: EphemeralPostgres | undefined;
let client: Client | undefined;

beforeAll(async () => {
  server = await startPostgres();
  client = new Client({ connectionString: server.connectionString });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await server?.stop();
});

const VALUE_SCHEMA: ConnectSchema = {
  type: 'struct',
  optional: false,
  name: 'acceptance_rows',
  fields: [
    { name: 'label', index: 0, schema: { type: 'string', optional: false } },
    { name: 'amount', index: 1, schema: { type: 'int64', optional: false } },
  ],
};

/** The shared connector acceptance suite against a Postgres destination, insert mode without a key (exactly-once by stored offsets). */
describeSinkConnectorAcceptance('jdbc-sink (Postgres, insert mode, no key)', () => {
  const s = server as EphemeralPostgres;
  const c = client as Client;
  const topicPartition: TopicPartition = { topic: 'acceptance_rows', partition: 0 };
  return {
    plugin: JDBC_SINK_PLUGIN,
    config: {
      'connector.class': 'jdbc-sink',
      name: 'jdbc-sink-acceptance',
      topics: 'acceptance_rows',
      'connection.url': `jdbc:postgresql://${s.host}:${s.port}/${s.database}`,
      'connection.user': s.user,
      'insert.mode': 'insert',
      'pk.mode': 'none',
      'auto.create': 'true',
      'batch.size': '7',
    },
    topicPartition,
    exactlyOnce: true,
    async prepare() {
      await c.query('DROP TABLE IF EXISTS acceptance_rows');
      await c.query('DROP TABLE IF EXISTS millrace_sink_offsets');
    },
    makeRecords(tp: TopicPartition, fromOffset: number, count: number): SinkRecord[] {
      return Array.from({ length: count }, (_, i) => {
        const offset = fromOffset + i;
        const value: Struct = { label: `${tp.topic}-${tp.partition}-${offset}`, amount: offset * 10 };
        return { topic: tp.topic, kafkaPartition: tp.partition, kafkaOffset: offset, originalTopic: tp.topic, originalKafkaPartition: tp.partition, originalKafkaOffset: offset, keySchema: null, key: null, valueSchema: VALUE_SCHEMA, value, timestamp: Date.now(), headers: [] };
      });
    },
    async storedIds() {
      const exists = await c.query(`SELECT to_regclass('public.acceptance_rows') AS t`);
      if (exists.rows[0].t === null) return [];
      const r = await c.query('SELECT label FROM acceptance_rows ORDER BY amount');
      return r.rows.map((row: { label: string }) => row.label);
    },
    recordId: (record) => String((record.value as Struct)['label']),
  };
});
