import { parseConfig, type ConfigDef, type ConfigKey, type ParsedConfig } from '@millrace/connect-sdk';

/**
 * The write and data-mapping keys of Confluent's JdbcSinkConnector that every Millrace
 * table sink shares (jdbc-sink, duckdb-sink), with Confluent's names, defaults and
 * meanings; a sink adds its own connection keys.
 *
 * Cross-field rules (as Confluent validates them), `sinkWriteCrossFieldErrors`:
 * - `delete.enabled=true` requires `pk.mode=record_key`;
 * - `insert.mode` upsert/update requires a `pk.mode` other than none;
 * - `pk.mode=kafka` takes zero or exactly three `pk.fields` (topic, partition, offset names);
 * - `table.name.format` must not be empty.
 */
export type InsertMode = 'insert' | 'upsert' | 'update';
export type PkMode = 'none' | 'kafka' | 'record_key' | 'record_value';

export interface SinkWriteConfig {
  readonly insertMode: InsertMode;
  readonly batchSize: number;
  readonly deleteEnabled: boolean;
  readonly tableNameFormat: string;
  readonly pkMode: PkMode;
  readonly pkFields: readonly string[];
  /** Value fields to write; empty = all. */
  readonly fieldsWhitelist: readonly string[];
  readonly autoCreate: boolean;
  readonly autoEvolve: boolean;
}

const INSERT_MODES = ['insert', 'upsert', 'update'] as const;
const PK_MODES = ['none', 'kafka', 'record_key', 'record_value'] as const;

export const SINK_TOPICS_KEY: ConfigKey = {
  name: 'topics',
  type: 'LIST',
  default: '',
  importance: 'HIGH',
  group: 'Common',
  documentation: 'Topics to consume (comma-separated). The runtime subscribes; the sink writes each topic to the table named by table.name.format.',
};

/** The keys listed at the top of this file, in groups Writes, Data Mapping and DDL Support. */
export const SINK_WRITE_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: 'insert.mode',
    type: 'STRING',
    default: 'insert',
    allowedValues: INSERT_MODES,
    importance: 'HIGH',
    group: 'Writes',
    documentation:
      'insert: plain INSERT. upsert: INSERT ... ON CONFLICT DO UPDATE (ON DUPLICATE KEY UPDATE on MySQL), idempotent by primary key. update: UPDATE by primary key.',
  },
  {
    name: 'batch.size',
    type: 'INT',
    default: 3000,
    importance: 'MEDIUM',
    group: 'Writes',
    documentation: 'Records buffered before the task writes and commits them in one transaction; also the largest multi-row statement.',
    validator: (v) => (typeof v === 'number' && v >= 1 ? null : 'must be at least 1'),
  },
  {
    name: 'delete.enabled',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: 'Writes',
    documentation: 'Treat tombstones (null values) and Debezium delete events as deletes by the record key. Requires pk.mode=record_key. When false, they are skipped.',
  },
  {
    name: 'table.name.format',
    type: 'STRING',
    default: '${topic}',
    importance: 'MEDIUM',
    group: 'Data Mapping',
    documentation: 'Destination table name; ${topic} is replaced by the record topic. "schema.table" names a schema (PostgreSQL, DuckDB) or database (MySQL).',
  },
  {
    name: 'pk.mode',
    type: 'STRING',
    default: 'none',
    allowedValues: PK_MODES,
    importance: 'HIGH',
    group: 'Data Mapping',
    documentation:
      'none: no key. kafka: __connect_topic, __connect_partition, __connect_offset. record_key: fields of the record key (a primitive key needs one pk.fields name). record_value: fields of the value.',
  },
  {
    name: 'pk.fields',
    type: 'LIST',
    default: '',
    importance: 'MEDIUM',
    group: 'Data Mapping',
    documentation: 'Primary key field names. Empty: all key fields (record_key struct) or all value fields (record_value); for kafka, three names or none.',
  },
  {
    name: 'fields.whitelist',
    type: 'LIST',
    default: '',
    importance: 'MEDIUM',
    group: 'Data Mapping',
    documentation: 'Value fields to write; empty means all.',
  },
  { name: 'auto.create', type: 'BOOLEAN', default: false, importance: 'MEDIUM', group: 'DDL Support', documentation: 'CREATE TABLE from the record schema when the table is missing (primary key from pk.mode).' },
  {
    name: 'auto.evolve',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: 'DDL Support',
    documentation: 'ALTER TABLE ADD missing columns for new optional fields (or fields with a default). A new required field without default is an error.',
  },
];

/** The cross-field rules listed at the top of this file, on parsed values: key -> message. */
export function sinkWriteCrossFieldErrors(values: ParsedConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const pkMode = values['pk.mode'];
  const pkFields = Array.isArray(values['pk.fields']) ? values['pk.fields'] : [];
  if (values['delete.enabled'] === true && pkMode !== 'record_key' && pkMode !== null) {
    out['delete.enabled'] = 'Deletes are only supported for pk.mode record_key';
  }
  const insertMode = values['insert.mode'];
  if ((insertMode === 'upsert' || insertMode === 'update') && pkMode === 'none') {
    out['insert.mode'] = `insert.mode=${String(insertMode)} needs a primary key: set pk.mode to record_key, record_value or kafka`;
  }
  if (pkMode === 'kafka' && pkFields.length !== 0 && pkFields.length !== 3) {
    out['pk.fields'] = 'pk.mode=kafka takes exactly three pk.fields (topic, partition and offset column names) or none';
  }
  const format = values['table.name.format'];
  if (typeof format === 'string' && format.trim() === '') out['table.name.format'] = 'must not be empty';
  return out;
}

/** The settings of SINK_WRITE_CONFIG_KEYS from values that passed validation. */
export function readSinkWriteConfig(values: ParsedConfig): SinkWriteConfig {
  return {
    insertMode: values['insert.mode'] as InsertMode,
    batchSize: values['batch.size'] as number,
    deleteEnabled: values['delete.enabled'] as boolean,
    tableNameFormat: values['table.name.format'] as string,
    pkMode: values['pk.mode'] as PkMode,
    pkFields: values['pk.fields'] as string[],
    fieldsWhitelist: values['fields.whitelist'] as string[],
    autoCreate: values['auto.create'] as boolean,
    autoEvolve: values['auto.evolve'] as boolean,
  };
}

/** The table a topic's records go to: table.name.format with ${topic} replaced. */
export function tableNameFor(format: string, topic: string): string {
  return format.split('${topic}').join(topic);
}

/**
 * Every key's parsed value (the SDK's parseConfig: defaults, types, per-key validators)
 * plus every error, per-key and cross-field (the rules above and `extraRules`), key ->
 * message (several joined by "; ").
 */
export function validateSinkConfig(
  def: ConfigDef,
  raw: Readonly<Record<string, string>>,
  extraRules: (values: ParsedConfig) => Readonly<Record<string, string>> = () => ({}),
): { values: ParsedConfig; errors: Readonly<Record<string, string>> } {
  const { parsed, errors: keyErrors } = parseConfig(def, raw);
  const errors: Record<string, string> = {};
  for (const [key, messages] of Object.entries(keyErrors)) errors[key] = messages.join('; ');
  for (const [key, message] of [...Object.entries(sinkWriteCrossFieldErrors(parsed)), ...Object.entries(extraRules(parsed))]) {
    errors[key] = errors[key] ? `${errors[key]}; ${message}` : message;
  }
  return { values: parsed, errors };
}
