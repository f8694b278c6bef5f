import * as os from 'node:os';
import * as path from 'node:path';
import { atLeast, configList, configNumber, configString, oneOf, parseConfig, type ConfigDef, type ConfigKey, type ConfigValueType } from '@millrace/connect-sdk';

/**
 * The OPC UA source's configuration.
 *
 * Contract: `parseOpcUaSourceConfig` takes the raw string map the runtime stores and
 * returns typed values with defaults applied, or throws OpcUaSourceConfigError naming the
 * first bad key; `crossFieldErrors` (key -> message) is shared with the plugin's
 * `validate`.
 */
export const SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export const SECURITY_POLICIES = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;
export const DEADBAND_TYPES = ['None', 'Absolute', 'Percent'] as const;
export type SecurityModeName = (typeof SECURITY_MODES)[number];
export type SecurityPolicyName = (typeof SECURITY_POLICIES)[number];
export type DeadbandTypeName = (typeof DEADBAND_TYPES)[number];

export interface OpcUaSourceConfig {
  readonly endpointUrl: string;
  readonly securityMode: SecurityModeName;
  readonly securityPolicy: SecurityPolicyName;
  readonly username: string | null;
  readonly password: string | null;
  readonly nodeIds: readonly string[];
  readonly browseRoot: string | null;
  readonly samplingIntervalMs: number;
  readonly publishingIntervalMs: number;
  readonly queueSize: number;
  readonly deadbandType: DeadbandTypeName;
  readonly deadbandValue: number;
  readonly kafkaTopic: string;
  readonly pkiDir: string;
  readonly connectTimeoutMs: number;
}

export class OpcUaSourceConfigError extends Error {
  override readonly name = 'OpcUaSourceConfigError';
}

const G_CONN = 'OPC UA connection';
const G_SUB = 'Subscription';
const G_REC = 'Records';

const endpointRule = (v: ConfigValueType) => (/^opc\.tcp:\/\/[^/\s:]+(:\d{1,5})?(\/\S*)?$/.test(String(v)) ? null : 'must be an OPC UA endpoint like opc.tcp://host:4840/path');
const nodeIdPattern = /^(ns=\d+;)?(i=\d+|s=.+|g=[0-9a-fA-F-]{36}|b=[A-Za-z0-9+/=]+)$/;
const nodeIdRule = (v: ConfigValueType) => {
  for (const id of Array.isArray(v) ? v : v === null ? [] : [String(v)]) if (!nodeIdPattern.test(id)) return `"${id}" is not a node id (ns=<n>;i=<n>, ns=<n>;s=<name>, g=<guid> or b=<base64>)`;
  return null;
};

const KEYS: readonly ConfigKey[] = [
  { name: 'opcua.endpoint.url', type: 'STRING', importance: 'HIGH', group: G_CONN, orderInGroup: 1, validator: endpointRule, documentation: 'Endpoint of the OPC UA server, e.g. opc.tcp://plc-7:4840/UA/Server.' },
  { name: 'opcua.security.mode', type: 'STRING', default: 'None', importance: 'MEDIUM', group: G_CONN, orderInGroup: 2, allowedValues: SECURITY_MODES, validator: oneOf(SECURITY_MODES), documentation: 'Message security mode: None, Sign or SignAndEncrypt.' },
  { name: 'opcua.security.policy', type: 'STRING', default: 'None', importance: 'MEDIUM', group: G_CONN, orderInGroup: 3, allowedValues: SECURITY_POLICIES, validator: oneOf(SECURITY_POLICIES), documentation: 'Security policy (None with mode None).' },
  { name: 'opcua.username', type: 'STRING', default: null, importance: 'MEDIUM', group: G_CONN, orderInGroup: 4, documentation: 'User name; anonymous when unset.' },
  { name: 'opcua.password', type: 'PASSWORD', default: null, importance: 'MEDIUM', group: G_CONN, orderInGroup: 5, documentation: 'Password of opcua.username.' },
  { name: 'opcua.pki.dir', type: 'STRING', default: null, importance: 'LOW', group: G_CONN, orderInGroup: 6,
    documentation: "Folder of the client's certificate and trust lists (created on first use; the server must trust the certificate for Sign modes). Default: opcua-pki under the worker's MILLRACE_DATA_DIR." },
  { name: 'opcua.connect.timeout.ms', type: 'INT', default: 30000, importance: 'LOW', group: G_CONN, orderInGroup: 7, validator: atLeast(1000), documentation: 'Time allowed for the first connection before the task fails; later losses reconnect for ever.' },
  { name: 'opcua.node.ids', type: 'LIST', default: '', importance: 'HIGH', group: G_SUB, orderInGroup: 1, validator: nodeIdRule, documentation: 'Variables to monitor, e.g. ns=2;s=Line1.Temperature, ns=2;i=1042.' },
  { name: 'opcua.browse.root', type: 'STRING', default: null, importance: 'MEDIUM', group: G_SUB, orderInGroup: 2, validator: (v) => (v === null ? null : nodeIdRule(v)),
    documentation: 'A node (folder or object) whose variables are all monitored, found by browsing its hierarchy (at most 5 levels, 10,000 variables), in addition to opcua.node.ids.' },
  { name: 'opcua.sampling.interval.ms', type: 'INT', default: 1000, importance: 'MEDIUM', group: G_SUB, orderInGroup: 3, validator: atLeast(0), documentation: 'How often the server samples each variable (0 = as fast as it can).' },
  { name: 'opcua.publishing.interval.ms', type: 'INT', default: 500, importance: 'LOW', group: G_SUB, orderInGroup: 4, validator: atLeast(10), documentation: 'How often the server sends the queued changes.' },
  { name: 'opcua.queue.size', type: 'INT', default: 100, importance: 'MEDIUM', group: G_SUB, orderInGroup: 5, validator: atLeast(1), documentation: 'Changes the server queues per variable between publishes (older ones are discarded when full).' },
  { name: 'opcua.deadband.type', type: 'STRING', default: 'None', importance: 'LOW', group: G_SUB, orderInGroup: 6, allowedValues: DEADBAND_TYPES, validator: oneOf(DEADBAND_TYPES), documentation: 'None, Absolute or Percent (of the EURange) deadband for numeric variables.' },
  { name: 'opcua.deadband.value', type: 'DOUBLE', default: 0, importance: 'LOW', group: G_SUB, orderInGroup: 7, validator: atLeast(0), documentation: 'The deadband: a change smaller than this is not reported.' },
  { name: 'kafka.topic', type: 'STRING', importance: 'HIGH', group: G_REC, orderInGroup: 1, validator: (v) => (/^[A-Za-z0-9._-]{1,249}$/.test(String(v)) ? null : 'may hold only letters, digits, ".", "_" and "-"'), documentation: 'Kafka topic of the records (keyed by node id).' },
];

export const OPCUA_SOURCE_CONFIG_DEF: ConfigDef = { keys: KEYS, groups: [G_CONN, G_SUB, G_REC] };

/** Checks spanning keys (key -> message) on raw values. */
export function crossFieldErrors(raw: Readonly<Record<string, string>>): Record<string, string> {
  const errors: Record<string, string> = {};
  const v = (k: string): string => (raw[k] ?? '').trim();
  if (v('opcua.node.ids') === '' && v('opcua.browse.root') === '') errors['opcua.node.ids'] = 'name at least one variable, or set opcua.browse.root';
  const mode = v('opcua.security.mode') || 'None';
  const policy = v('opcua.security.policy') || 'None';
  if ((mode === 'None') !== (policy === 'None')) errors['opcua.security.policy'] = 'must be None exactly when opcua.security.mode is None';
  if (v('opcua.password') !== '' && v('opcua.username') === '') errors['opcua.username'] = 'is required with opcua.password';
  return errors;
}

export function parseOpcUaSourceConfig(raw: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv = process.env): OpcUaSourceConfig {
  const { parsed: v, problems } = parseConfig(OPCUA_SOURCE_CONFIG_DEF, raw);
  if (problems.length > 0) throw new OpcUaSourceConfigError(problems[0].message);
  const cross = Object.entries(crossFieldErrors(raw));
  if (cross.length > 0) throw new OpcUaSourceConfigError(`Invalid configuration ${cross[0][0]}: ${cross[0][1]}`);
  return {
    endpointUrl: configString(v, 'opcua.endpoint.url') ?? '',
    securityMode: (configString(v, 'opcua.security.mode') ?? 'None') as SecurityModeName,
    securityPolicy: (configString(v, 'opcua.security.policy') ?? 'None') as SecurityPolicyName,
    username: configString(v, 'opcua.username'),
    password: configString(v, 'opcua.password'),
    nodeIds: configList(v, 'opcua.node.ids'),
    browseRoot: configString(v, 'opcua.browse.root'),
    samplingIntervalMs: configNumber(v, 'opcua.sampling.interval.ms'),
    publishingIntervalMs: configNumber(v, 'opcua.publishing.interval.ms'),
    queueSize: configNumber(v, 'opcua.queue.size'),
    deadbandType: (configString(v, 'opcua.deadband.type') ?? 'None') as DeadbandTypeName,
    deadbandValue: configNumber(v, 'opcua.deadband.value'),
    kafkaTopic: configString(v, 'kafka.topic') ?? '',
    pkiDir: configString(v, 'opcua.pki.dir') ?? path.join(env.MILLRACE_DATA_DIR ?? os.tmpdir(), 'opcua-pki'),
    connectTimeoutMs: configNumber(v, 'opcua.connect.timeout.ms'),
  };
}
