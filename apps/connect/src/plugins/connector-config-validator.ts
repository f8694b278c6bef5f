import {
  commonConnectorConfigDef,
  converterKind,
  mergeConfigDefs,
  parseConfig,
  validateConfig,
  validateSinkTopics,
  validateTransformsConfig,
  type ConfigDef,
  type ConfigInfos,
  type ConnectorPlugin,
  type ParsedConfig,
} from '@millrace/connect-sdk';

export interface ConnectorValidation {
  readonly infos: ConfigInfos;
  readonly parsed: ParsedConfig;
  /** Every error as one line naming its key, in the order of `infos`. */
  readonly messages: string[];
}

/** The runtime's keys (connect-sdk's common connector config) followed by the plugin's. */
export function connectorConfigDef(plugin: ConnectorPlugin): ConfigDef {
  return mergeConfigDefs(commonConnectorConfigDef(plugin.type), plugin.configDef);
}

/**
 * Validates a connector config against the runtime's keys and the plugin's ConfigDef,
 * then the cross-field checks: a sink's `topics` / `topics.regex` / DLQ topic (Kafka
 * Connect's rules), converter names, the `transforms.*` / `predicates.*` keys, and —
 * when everything else is valid — the plugin's own `validate`. The answer is Kafka
 * Connect's ConfigInfos named after the plugin; each message names its key.
 */
export function validateConnectorConfig(plugin: ConnectorPlugin, config: Readonly<Record<string, string>>): ConnectorValidation {
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
  for (const [key, message] of Object.entries(validateTransformsConfig(config))) add(key, message);
  if (plugin.validate && Object.keys(errors).length === 0 && Object.keys(extra).length === 0) {
    for (const [key, message] of Object.entries(plugin.validate(config, parsed))) add(key, message);
  }
  const infos = validateConfig(def, config, extra, { name: plugin.name });
  const messages = infos.configs.flatMap((c) => c.value.errors.map((e) => (e.includes(c.value.name) ? e : `${c.value.name}: ${e}`)));
  return { infos, parsed, messages };
}
