/**
 * Kafka Connect's answer to `PUT /connector-plugins/{p}/config/validate` ({@link ConfigInfos})
 * and the descriptions of config keys (`GET /connector-plugins/{p}/config`), built on the
 * SDK's one parser (config-parser.ts), whose contract and wording apply.
 *
 * In ConfigInfos, values are rendered as Kafka does: parsed value to string (null when
 * the value could not be parsed, LIST joined with ",", PASSWORD as "[hidden]").
 */
import type { ConfigDef, ConfigKey, ConfigType, ConfigValueType } from './config-def';
import { configValueToString, parseConfigKey, parseConfigValue } from './config-parser';

/** ConfigKeyInfo of Kafka Connect's REST API (field names as on the wire). */
export interface ConfigKeyInfo {
  name: string;
  type: ConfigType;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  width: string;
  display_name: string;
  dependents: string[];
  order: number;
}

/** ConfigValueInfo of Kafka Connect's REST API. */
export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

/** One entry of `configs`; `definition` is null for a key the definition does not know. */
export interface ConfigInfo {
  definition: ConfigKeyInfo | null;
  value: ConfigValueInfo;
}

/** The body of `PUT /connector-plugins/{p}/config/validate`. */
export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: ConfigInfo[];
}

export interface ValidateConfigOptions {
  /** `name` of the result; defaults to the submitted `connector.class` (as Kafka does). */
  name?: string;
}

/** Kafka Connect's ConfigKeyInfo of a key. */
export function describeConfigKey(key: ConfigKey): ConfigKeyInfo {
  const required = key.default === undefined;
  let defaultValue: string | null = null;
  if (!required) {
    const d = key.default as ConfigValueType;
    if (typeof d === 'string' && key.type !== 'PASSWORD') {
      const r = parseConfigValue(key, d);
      defaultValue = 'error' in r ? d : configValueToString(r.value, key.type);
    } else {
      defaultValue = configValueToString(d, key.type);
    }
  }
  return {
    name: key.name,
    type: key.type,
    required,
    default_value: defaultValue,
    importance: key.importance,
    documentation: key.documentation,
    group: key.group ?? null,
    width: key.width ?? 'NONE',
    display_name: key.displayName ?? key.name,
    dependents: [...(key.dependents ?? [])],
    order: key.orderInGroup ?? -1,
  };
}

/** Groups in display order: the definition's list, then groups only named by keys. */
export function configGroups(def: ConfigDef): string[] {
  const groups = [...(def.groups ?? [])];
  for (const key of def.keys) {
    if (key.group !== undefined && !groups.includes(key.group)) groups.push(key.group);
  }
  return groups;
}

/**
 * Validates `raw` against `def` and answers in Kafka Connect's ConfigInfos shape.
 * `extraErrors` (e.g. a plugin's cross-field checks, key -> message(s)) are appended to
 * the key's errors; for a key the definition does not know, an entry with a null
 * definition is listed first, as Kafka does. `error_count` counts messages.
 */
export function validateConfig(
  def: ConfigDef,
  raw: Readonly<Record<string, string>>,
  extraErrors: Readonly<Record<string, string | readonly string[]>> = {},
  options: ValidateConfigOptions = {},
): ConfigInfos {
  const known = new Set(def.keys.map((k) => k.name));
  const extra = (name: string): string[] => {
    const e = extraErrors[name];
    if (e === undefined) return [];
    return typeof e === 'string' ? [e] : [...e];
  };
  const configs: ConfigInfo[] = [];
  let errorCount = 0;
  for (const name of Object.keys(extraErrors)) {
    if (known.has(name)) continue;
    const errors = extra(name);
    if (errors.length === 0) continue;
    errorCount += errors.length;
    const submitted = raw[name];
    configs.push({
      definition: null,
      value: { name, value: submitted === undefined ? null : submitted, recommended_values: [], errors, visible: true },
    });
  }
  for (const key of def.keys) {
    const r = parseConfigKey(key, raw);
    const errors = [...r.problems.map((p) => p.message), ...extra(key.name)];
    errorCount += errors.length;
    configs.push({
      definition: describeConfigKey(key),
      value: {
        name: key.name,
        value: configValueToString(r.value, key.type),
        recommended_values: [...(key.allowedValues ?? [])],
        errors,
        visible: true,
      },
    });
  }
  return { name: options.name ?? raw['connector.class'] ?? '', error_count: errorCount, groups: configGroups(def), configs };
}

/** Every error message of a validation result, in order. */
export function configErrorMessages(infos: ConfigInfos): string[] {
  return infos.configs.flatMap((c) => c.value.errors);
}

/**
 * Kafka Connect's message for a create/update rejected with 400:
 * "Connector configuration is invalid and contains the following N error(s): ...".
 */
export function describeConfigErrors(infos: ConfigInfos): string {
  const messages = configErrorMessages(infos);
  return (
    `Connector configuration is invalid and contains the following ${messages.length} error(s):\n` +
    messages.join('\n') +
    '\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`'
  );
}
