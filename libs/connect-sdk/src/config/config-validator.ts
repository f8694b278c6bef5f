/**
 * Parsing and validation of a submitted connector config against a {@link ConfigDef}, with
 * Kafka Connect's wording and Kafka Connect's `PUT /connector-plugins/{p}/config/validate`
 * response shape ({@link ConfigInfos}).
 *
 * Contract (after Kafka's ConfigDef, with the additions of config-def.ts):
 * - Values are strings. STRING, CLASS, LIST and PASSWORD values are trimmed; LIST splits on
 *   commas, trims items and drops empty ones; INT/LONG are decimal integers within 32/64
 *   bits (LONG beyond 2^53 loses precision: ParsedConfig holds numbers); DOUBLE is a finite
 *   number; BOOLEAN is true/false in any case.
 * - A missing required key, or a required key whose value is blank, gets
 *   `Missing required configuration "k" which has no default value.`
 * - A value that cannot be parsed gets `Invalid value v for configuration k: <reason>`
 *   (e.g. "Not a number of type LONG") and parses to null.
 * - A key's `validator` runs on the parsed value when there is one (not on null); its
 *   message is a reason and is wrapped as `Invalid value v for configuration k: <reason>`
 *   unless it is already a full sentence in that form. Without a validator,
 *   `allowedValues` is checked (each item for LIST), case-sensitively.
 * - Keys not in the definition are ignored here (the runtime passes them through).
 * - In ConfigInfos, values are rendered as Kafka does: parsed value to string (null when
 *   the value could not be parsed, LIST joined with ",", PASSWORD as "[hidden]").
 */
import type { ConfigDef, ConfigKey, ConfigType, ConfigValueType, ParsedConfig } from './config-def';

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

export interface ParseConfigResult {
  /** Every key of the definition: parsed value, default, or null (missing / unparseable). */
  parsed: ParsedConfig;
  /** Keys with at least one error -> messages (keys without errors are absent). */
  errors: Record<string, string[]>;
}

export interface ValidateConfigOptions {
  /** `name` of the result; defaults to the submitted `connector.class` (as Kafka does). */
  name?: string;
}

export const HIDDEN_VALUE = '[hidden]';

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Kafka's message for a required key without value. */
export function missingConfigMessage(name: string): string {
  return `Missing required configuration "${name}" which has no default value.`;
}

/** Kafka's ConfigException wording: `Invalid value v for configuration k: reason`. */
export function invalidValueMessage(name: string, value: string, reason: string): string {
  return `Invalid value ${value} for configuration ${name}: ${reason}`;
}

/** Parses one submitted string by the key's type; `{ error }` carries Kafka's message. */
export function parseConfigValue(key: ConfigKey, raw: string): { value: ConfigValueType } | { error: string } {
  const text = raw.trim();
  const fail = (reason: string): { error: string } => ({ error: invalidValueMessage(key.name, key.type === 'PASSWORD' ? HIDDEN_VALUE : raw, reason) });
  switch (key.type) {
    case 'INT':
    case 'LONG': {
      if (!/^[+-]?\d+$/.test(text)) return fail(`Not a number of type ${key.type}`);
      const big = BigInt(text);
      const [min, max] = key.type === 'INT' ? [INT_MIN, INT_MAX] : [LONG_MIN, LONG_MAX];
      if (big < min || big > max) return fail(`Not a number of type ${key.type}`);
      return { value: Number(big) };
    }
    case 'DOUBLE': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n) || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return fail('Not a number of type DOUBLE');
      return { value: n };
    }
    case 'BOOLEAN': {
      const lower = text.toLowerCase();
      if (lower === 'true') return { value: true };
      if (lower === 'false') return { value: false };
      return fail('Expected value to be either true or false');
    }
    case 'LIST':
      return { value: splitList(text) };
    case 'STRING':
    case 'CLASS':
    case 'PASSWORD':
      return { value: text };
  }
}

/** LIST parsing: comma-separated, items trimmed, empty items dropped. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Kafka's ConfigDef.convertToString for our types (PASSWORD -> "[hidden]"). */
export function configValueToString(value: ConfigValueType | undefined, type: ConfigType): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'PASSWORD') return HIDDEN_VALUE;
  if (Array.isArray(value)) return value.join(',');
  if (type === 'DOUBLE' && typeof value === 'number' && Number.isInteger(value)) return `${value}.0`;
  return String(value);
}

interface KeyResult {
  value: ConfigValueType;
  errors: string[];
}

function evaluateKey(key: ConfigKey, raw: Readonly<Record<string, string>>): KeyResult {
  const errors: string[] = [];
  const submitted = Object.prototype.hasOwnProperty.call(raw, key.name) ? raw[key.name] : undefined;
  const required = key.default === undefined;
  let value: ConfigValueType = null;
  let shown: string;
  if (submitted === undefined || submitted === null || (required && String(submitted).trim() === '')) {
    if (required) return { value: null, errors: [missingConfigMessage(key.name)] };
    const def = key.default as ConfigValueType;
    if (typeof def === 'string') {
      const r = parseConfigValue(key, def);
      if ('error' in r) return { value: null, errors: [r.error] };
      value = r.value;
    } else {
      value = def;
    }
    shown = configValueToString(value, key.type) ?? 'null';
  } else {
    const r = parseConfigValue(key, String(submitted));
    if ('error' in r) return { value: null, errors: [r.error] };
    value = r.value;
    shown = key.type === 'PASSWORD' ? HIDDEN_VALUE : String(submitted).trim();
  }
  if (value === null) return { value, errors };
  if (key.validator) {
    const reason = key.validator(value, raw);
    if (reason) errors.push(wrapReason(key.name, shown, reason));
  } else if (key.allowedValues && key.allowedValues.length > 0) {
    const items = Array.isArray(value) ? value : [String(value)];
    for (const item of items) {
      if (!key.allowedValues.includes(item)) {
        errors.push(invalidValueMessage(key.name, key.type === 'PASSWORD' ? HIDDEN_VALUE : item, `String must be one of: ${key.allowedValues.join(', ')}`));
      }
    }
  }
  return { value, errors };
}

function wrapReason(name: string, shown: string, reason: string): string {
  if (reason.startsWith('Invalid value ') || reason.startsWith('Missing required configuration')) return reason;
  return invalidValueMessage(name, shown, reason);
}

/** Parses `raw` against `def`; never throws for a bad value (it becomes an error of its key). */
export function parseConfig(def: ConfigDef, raw: Readonly<Record<string, string>>): ParseConfigResult {
  const parsed: Record<string, ConfigValueType> = {};
  const errors: Record<string, string[]> = {};
  for (const key of def.keys) {
    const r = evaluateKey(key, raw);
    parsed[key.name] = r.value;
    if (r.errors.length > 0) errors[key.name] = r.errors;
  }
  return { parsed, errors };
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
    const r = evaluateKey(key, raw);
    const errors = [...r.errors, ...extra(key.name)];
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
