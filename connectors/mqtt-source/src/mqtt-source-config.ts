import {
  atLeast,
  nonEmptyString,
  configBoolean,
  configList,
  configNumber,
  configString,
  oneOf,
  parseConfig,
  range,
  type ConfigDef,
  type ConfigKey,
  type ConfigValueType,
} from '@millrace/connect-sdk';

/**
 * The MQTT source's configuration (names after Confluent's MQTT source connector where
 * it has one: `mqtt.server.uri`, `mqtt.topics`, `mqtt.qos`, `mqtt.username`,
 * `mqtt.password`, `kafka.topic`).
 *
 * Contract: `parseMqttSourceConfig` takes the raw string map the runtime stores and
 * returns typed values with defaults applied, or throws MqttSourceConfigError naming the
 * first bad key; `crossFieldErrors` (key -> message) is shared with the plugin's
 * `validate` so REST validation and task start agree.
 */
export type PayloadFormat = 'bytes' | 'string' | 'json';
export const PAYLOAD_FORMATS: readonly PayloadFormat[] = ['bytes', 'string', 'json'];

/** Where a record's key comes from: the MQTT topic, nothing, or a top-level field of a JSON payload. */
export type KeySource = { kind: 'topic' } | { kind: 'none' } | { kind: 'json'; field: string };

export interface MqttSourceConfig {
  readonly serverUri: string;
  readonly topics: readonly string[];
  readonly qos: 0 | 1 | 2;
  /** MQTT protocol version: 4 = 3.1.1, 5 = MQTT 5. */
  readonly protocolVersion: 4 | 5;
  /** Base of the client id; the task appends nothing when set explicitly (see clientIdFor). */
  readonly clientId: string | null;
  readonly cleanSession: boolean;
  readonly sessionExpirySeconds: number;
  readonly receiveMaximum: number;
  readonly keepaliveSeconds: number;
  readonly connectTimeoutMs: number;
  readonly username: string | null;
  readonly password: string | null;
  readonly caFile: string | null;
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly rejectUnauthorized: boolean;
  readonly kafkaTopic: string;
  readonly keySource: KeySource;
  readonly payloadFormat: PayloadFormat;
}

export class MqttSourceConfigError extends Error {
  override readonly name = 'MqttSourceConfigError';
}

const G_CONN = 'MQTT connection';
const G_SUB = 'Subscription';
const G_REC = 'Records';

const serverUri = (v: ConfigValueType) =>
  /^(mqtt|mqtts|tcp|ssl|tls|ws|wss):\/\/[^/\s:]+(:\d{1,5})?(\/\S*)?$/.test(String(v)) ? null : 'must be a URI like tcp://host:1883, ssl://host:8883 or ws://host:8080/mqtt';
const keySourceRule = (v: ConfigValueType) => (parseKeySource(String(v)) ? null : 'must be topic, none or json:<field>');

const KEYS: readonly ConfigKey[] = [
  { name: 'mqtt.server.uri', type: 'STRING', importance: 'HIGH', group: G_CONN, orderInGroup: 1, validator: serverUri, documentation: 'MQTT broker: tcp:// (or mqtt://), ssl:// (or mqtts://), ws:// or wss://, with the port.' },
  { name: 'mqtt.username', type: 'STRING', default: null, importance: 'MEDIUM', group: G_CONN, orderInGroup: 2, documentation: 'User name, if the broker requires one.' },
  { name: 'mqtt.password', type: 'PASSWORD', default: null, importance: 'MEDIUM', group: G_CONN, orderInGroup: 3, documentation: 'Password of mqtt.username.' },
  { name: 'mqtt.protocol.version', type: 'INT', default: 5, importance: 'LOW', group: G_CONN, orderInGroup: 4, allowedValues: ['4', '5'], validator: oneOf(['4', '5']), documentation: '4 = MQTT 3.1.1, 5 = MQTT 5 (session expiry, receive maximum, user properties as headers).' },
  { name: 'mqtt.client.id', type: 'STRING', default: null, importance: 'MEDIUM', group: G_CONN, orderInGroup: 5, documentation: 'Client id (stable, so the broker keeps the session while the task is down). Default: millrace-<connector>-<task>.' },
  { name: 'mqtt.clean.session', type: 'BOOLEAN', default: false, importance: 'MEDIUM', group: G_CONN, orderInGroup: 6, documentation: 'false: a persistent session; messages published while the task is down are delivered when it comes back. true: start afresh at every connect.' },
  { name: 'mqtt.session.expiry.interval.seconds', type: 'INT', default: 86400, importance: 'LOW', group: G_CONN, orderInGroup: 7, validator: atLeast(0), documentation: 'MQTT 5: how long the broker keeps the session of a disconnected task.' },
  { name: 'mqtt.receive.maximum', type: 'INT', default: 1000, importance: 'LOW', group: G_CONN, orderInGroup: 8, validator: range(1, 65535), documentation: 'MQTT 5: QoS 1/2 messages the broker may have in flight to the task, i.e. not yet acknowledged (acknowledged only after their records commit).' },
  { name: 'mqtt.keepalive.interval.seconds', type: 'INT', default: 60, importance: 'LOW', group: G_CONN, orderInGroup: 9, validator: atLeast(0), documentation: 'Keep-alive interval.' },
  { name: 'mqtt.connect.timeout.seconds', type: 'INT', default: 30, importance: 'LOW', group: G_CONN, orderInGroup: 10, validator: atLeast(1), documentation: 'Time allowed for the first connection before the task fails.' },
  { name: 'mqtt.ssl.ca.file', type: 'STRING', default: null, importance: 'LOW', group: G_CONN, orderInGroup: 11, documentation: 'PEM file of the CAs to trust (ssl:// and wss://).' },
  { name: 'mqtt.ssl.cert.file', type: 'STRING', default: null, importance: 'LOW', group: G_CONN, orderInGroup: 12, documentation: 'PEM client certificate (mutual TLS).' },
  { name: 'mqtt.ssl.key.file', type: 'STRING', default: null, importance: 'LOW', group: G_CONN, orderInGroup: 13, documentation: 'PEM private key of mqtt.ssl.cert.file.' },
  { name: 'mqtt.ssl.verify.server', type: 'BOOLEAN', default: true, importance: 'LOW', group: G_CONN, orderInGroup: 14, documentation: 'Check the broker certificate and host name.' },
  { name: 'mqtt.topics', type: 'LIST', importance: 'HIGH', group: G_SUB, orderInGroup: 1, validator: nonEmptyString(), documentation: 'MQTT topic filters to subscribe to; + and # wildcards allowed.' },
  { name: 'mqtt.qos', type: 'INT', default: 1, importance: 'HIGH', group: G_SUB, orderInGroup: 2, allowedValues: ['0', '1', '2'], validator: oneOf(['0', '1', '2']),
    documentation: 'Subscription QoS. 1 and 2: a message is acknowledged to the broker only after its record is committed in Kafka, so a crash never loses it (it may be delivered again). 0: fire and forget.' },
  { name: 'kafka.topic', type: 'STRING', importance: 'HIGH', group: G_REC, orderInGroup: 1,
    documentation: 'Kafka topic of the records; ${mqtt.topic} is replaced by the MQTT topic with "/" as "." and other characters Kafka does not allow as "_" (e.g. mes.${mqtt.topic}).' },
  { name: 'mqtt.key.source', type: 'STRING', default: 'topic', importance: 'MEDIUM', group: G_REC, orderInGroup: 2, validator: keySourceRule, documentation: 'Record key: topic (the MQTT topic), none, or json:<field> (a top-level field of a JSON payload, as a string).' },
  { name: 'mqtt.payload.format', type: 'STRING', default: 'bytes', importance: 'MEDIUM', group: G_REC, orderInGroup: 3, allowedValues: PAYLOAD_FORMATS, validator: oneOf(PAYLOAD_FORMATS),
    documentation: 'bytes: the payload as is; string: UTF-8 text; json: a JSON object whose schema is inferred (a struct of optional fields; nested objects and arrays as JSON text), so value.converter=avro registers it.' },
];

export const MQTT_SOURCE_CONFIG_DEF: ConfigDef = { keys: KEYS, groups: [G_CONN, G_SUB, G_REC] };

export function parseKeySource(raw: string): KeySource | null {
  const v = raw.trim();
  if (v === 'topic' || v === 'none') return { kind: v };
  const m = /^json:([A-Za-z0-9_.$-]+)$/.exec(v);
  return m ? { kind: 'json', field: m[1] } : null;
}

/** Checks spanning keys (key -> message) on raw values. */
export function crossFieldErrors(raw: Readonly<Record<string, string>>): Record<string, string> {
  const errors: Record<string, string> = {};
  const v = (k: string): string => (raw[k] ?? '').trim();
  for (const filter of v('mqtt.topics').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const problem = topicFilterProblem(filter);
    if (problem) errors['mqtt.topics'] = `"${filter}" ${problem}`;
  }
  if (v('mqtt.key.source').startsWith('json:') && v('mqtt.payload.format') !== 'json') errors['mqtt.key.source'] = 'json:<field> needs mqtt.payload.format=json';
  if (v('mqtt.qos') === '2' && v('mqtt.protocol.version') === '4') errors['mqtt.qos'] = 'QoS 2 needs mqtt.protocol.version=5 (its acknowledgement can wait for the Kafka commit only in MQTT 5)';
  if (v('mqtt.ssl.cert.file') !== '' && v('mqtt.ssl.key.file') === '') errors['mqtt.ssl.key.file'] = 'is required with mqtt.ssl.cert.file';
  const topic = v('kafka.topic').replace(/\$\{mqtt\.topic\}/g, 'x');
  if (topic !== '' && !/^[A-Za-z0-9._-]{1,249}$/.test(topic)) errors['kafka.topic'] = 'may hold only letters, digits, ".", "_", "-" and the ${mqtt.topic} placeholder';
  return errors;
}

/** MQTT's rules for a subscription filter (MQTT 5 §4.7): why `filter` is invalid, or null. */
export function topicFilterProblem(filter: string): string | null {
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return 'may use # only as the whole last level';
    if (l.includes('+') && l !== '+') return 'may use + only as a whole level';
  }
  return null;
}

export function parseMqttSourceConfig(raw: Readonly<Record<string, string>>): MqttSourceConfig {
  const { parsed: v, problems } = parseConfig(MQTT_SOURCE_CONFIG_DEF, raw);
  if (problems.length > 0) throw new MqttSourceConfigError(problems[0].message);
  const cross = Object.entries(crossFieldErrors(raw));
  if (cross.length > 0) throw new MqttSourceConfigError(`Invalid configuration ${cross[0][0]}: ${cross[0][1]}`);
  return {
    serverUri: configString(v, 'mqtt.server.uri') ?? '',
    topics: configList(v, 'mqtt.topics'),
    qos: configNumber(v, 'mqtt.qos') as 0 | 1 | 2,
    protocolVersion: configNumber(v, 'mqtt.protocol.version') as 4 | 5,
    clientId: configString(v, 'mqtt.client.id'),
    cleanSession: configBoolean(v, 'mqtt.clean.session'),
    sessionExpirySeconds: configNumber(v, 'mqtt.session.expiry.interval.seconds'),
    receiveMaximum: configNumber(v, 'mqtt.receive.maximum'),
    keepaliveSeconds: configNumber(v, 'mqtt.keepalive.interval.seconds'),
    connectTimeoutMs: configNumber(v, 'mqtt.connect.timeout.seconds') * 1000,
    username: configString(v, 'mqtt.username'),
    password: configString(v, 'mqtt.password'),
    caFile: configString(v, 'mqtt.ssl.ca.file'),
    certFile: configString(v, 'mqtt.ssl.cert.file'),
    keyFile: configString(v, 'mqtt.ssl.key.file'),
    rejectUnauthorized: configBoolean(v, 'mqtt.ssl.verify.server'),
    kafkaTopic: configString(v, 'kafka.topic') ?? '',
    keySource: parseKeySource(configString(v, 'mqtt.key.source') ?? 'topic')!,
    payloadFormat: (configString(v, 'mqtt.payload.format') ?? 'bytes') as PayloadFormat,
  };
}
