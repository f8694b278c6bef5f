import {
  EXACTLY_ONCE_SUPPORT_CONFIG,
  TRANSACTION_BOUNDARY_CONFIG,
  commonConnectorConfigDef,
  converterKind,
  mergeConfigDefs,
  parseConfig,
  RECONCILE_CONFIG_DEF,
  validateConfig,
  validateSinkTopics,
  validateTransformsConfig,
  type ConfigDef,
  type ConfigInfos,
  type ConnectorPlugin,
  type ParsedConfig,
} from '@millrace/connect-sdk';

/** What the worker validating a config can do (it changes what a config may ask for). */
export interface WorkerCapabilities {
  /** Source tasks run exactly once here (MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE, the cluster's transactions). */
  readonly exactlyOnceSource: boolean;
}

export interface ConnectorValidation {
  readonly infos: ConfigInfos;
  readonly parsed: ParsedConfig;
  /** Every error as one line naming its key, in the order of `infos`. */
  readonly messages: string[];
}

/** The runtime's keys (connect-sdk's common connector config) followed by the plugin's. */
export function connectorConfigDef(plugin: ConnectorPlugin): ConfigDef {
  return plugin.reconcileTarget
    ? mergeConfigDefs(commonConnectorConfigDef(plugin.type), plugin.configDef, RECONCILE_CONFIG_DEF)
    : mergeConfigDefs(commonConnectorConfigDef(plugin.type), plugin.configDef);
}

/**
 * Validates a connector config against the runtime's keys and the plugin's ConfigDef,
 * then the cross-field checks: a sink's `topics` / `topics.regex` / DLQ topic (Kafka
 * Connect's rules), converter names, the `transforms.*` / `predicates.*` keys, a
 * source's exactly-once keys against what the worker can do (Kafka's messages), and —
 * when everything else is valid — the plugin's own `validate`. The answer is Kafka
 * Connect's ConfigInfos named after the plugin; each message names its key.
 */
export function validateConnectorConfig(plugin: ConnectorPlugin, config: Readonly<Record<string, string>>, worker: WorkerCapabilities = { exactlyOnceSource: false }): ConnectorValidation {
  const def = connectorConfigDef(plugin);
  const { parsed, errors } = parseConfig(def, config);
  const extra: Record<string, string[]> = {};
  const add = (key: string, message: string): void => {
    (extra[key] ??= []).push(message);
  };
  for (const key of ['key.converter', 'value.converter']) {
    const value = (config[key] ?? '').trim();
    if (value !== '' && converterKind(value) === null) add(key, `Invalid value ${value} for configuration ${key}: Class ${value} could not be found (use avro, json, string or bytes).`);
  }
  if (plugin.type === 'sink') for (const [key, message] of Object.entries(validateSinkTopics(config))) add(key, message);
  if (plugin.type === 'source') for (const [key, message] of Object.entries(exactlyOnceChecks(config, worker))) add(key, message);
  for (const [key, message] of Object.entries(validateTransformsConfig(config))) add(key, message);
  if (plugin.validate && Object.keys(errors).length === 0 && Object.keys(extra).length === 0) {
    for (const [key, message] of Object.entries(plugin.validate(config, parsed))) add(key, message);
  }
  const infos = validateConfig(def, config, extra, { name: plugin.name });
  const messages = infos.configs.flatMap((c) => c.value.errors.map((e) => (e.includes(c.value.name) ? e : `${c.value.name}: ${e}`)));
  return { infos, parsed, messages };
}

/**
 * KIP-618's checks of a source config against the worker: `exactly.once.support=required`
 * needs a worker running sources exactly once; `transaction.boundary=connector` needs a
 * connector that defines transaction boundaries (no Millrace connector does); and
 * `interval` is not implemented yet (each batch is its own transaction).
 */
function exactlyOnceChecks(config: Readonly<Record<string, string>>, worker: WorkerCapabilities): Record<string, string> {
  const out: Record<string, string> = {};
  if ((config[EXACTLY_ONCE_SUPPORT_CONFIG] ?? '').trim().toLowerCase() === 'required' && !worker.exactlyOnceSource) {
    out[EXACTLY_ONCE_SUPPORT_CONFIG] = 'This worker does not have exactly-once source support enabled (MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE, and a Kafka cluster with transactions).';
  }
  const boundary = (config[TRANSACTION_BOUNDARY_CONFIG] ?? '').trim().toLowerCase();
  if (boundary === 'connector') {
    out[TRANSACTION_BOUNDARY_CONFIG] = 'The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.';
  } else if (boundary === 'interval') {
    out[TRANSACTION_BOUNDARY_CONFIG] = 'transaction.boundary=interval is not supported by this worker yet: use poll (every batch the task returns is committed in its own transaction).';
  }
  return out;
}
