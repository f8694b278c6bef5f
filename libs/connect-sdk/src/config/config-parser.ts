/**
 * The SDK's one parser of submitted config values against a {@link ConfigDef}, in Kafka's
 * ConfigDef semantics and wording. Connector configs (REST validation and the plugins'
 * own parsing), transforms and predicates, error handling and converters all parse here;
 * they differ only in how they report the problems (a ConfigInfos answer, a thrown
 * error naming the first key, or every message joined).
 *
 * Contract (after Kafka's ConfigDef, with the additions of config-def.ts):
 * - Values are strings. STRING, CLASS, LIST and PASSWORD values are trimmed; LIST splits on
 *   commas, trims items and drops empty ones; INT/LONG are decimal integers within 32/64
 *   bits (LONG beyond 2^53 loses precision: ParsedConfig holds numbers); DOUBLE is a finite
 *   decimal number (`1`, `-1.5`, `.5`, `1e3`; not `0x10`, `Infinity` or `NaN`); BOOLEAN is
 *   true/false in any case.
 * - A missing required key, or a required key whose value is blank, is a `missing`
 *   problem: `Missing required configuration "k" which has no default value.`
 * - A value that cannot be parsed is an `invalid` problem,
 *   `Invalid value v for configuration k: <reason>` (e.g. "Not a number of type LONG"),
 *   and parses to null. A string default is parsed like a submitted value.
 * - A key's `validator` runs on the parsed value when there is one (not on null),
 *   defaults included; its message is a reason and is wrapped as
 *   `Invalid value v for configuration k: <reason>` unless it is already a full sentence
 *   in that form. Without a validator, `allowedValues` is checked (each item for LIST),
 *   case-sensitively.
 * - In messages, v is the trimmed submitted value (the raw one when it does not parse),
 *   the default rendered as Kafka does when nothing was submitted, and "[hidden]" for a
 *   PASSWORD.
 * - Keys not in the definition are ignored here (the runtime passes them through).
 */
import type { ConfigDef, ConfigKey, ConfigType, ConfigValueType, ParsedConfig } from './config-def';

/** One problem with one key's value, as Kafka's ConfigException reports it. */
export interface ConfigProblem {
  /** The key as the definition names it. */
  readonly key: string;
  readonly kind: 'missing' | 'invalid';
  /** The value as messages show it (see the contract above); null for a missing key. */
  readonly value: string | null;
  /** Why the value is invalid ("missing" for a missing key); may be a full sentence. */
  readonly reason: string;
  /** Kafka's full message. */
  readonly message: string;
}

export interface ParseConfigResult {
  /** Every key of the definition: parsed value, default, or null (missing / unparseable). */
  parsed: ParsedConfig;
  /** Keys with at least one error -> messages (keys without errors are absent). */
  errors: Record<string, string[]>;
  /** Every problem, in the definition's key order. */
  problems: ConfigProblem[];
}

/** The outcome for one key: its value (null when missing or unparseable) and its problems. */
export interface ParsedConfigKey {
  readonly value: ConfigValueType;
  readonly problems: ConfigProblem[];
}

export const HIDDEN_VALUE = '[hidden]';

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Kafka's message for a required key without value. */
export function missingConfigMessage(name: string): string {
  return `Missing required configuration "${name}" which has no default value.`;
}

/** Kafka's ConfigException wording: `Invalid value v for configuration k: reason`. */
export function invalidValueMessage(name: string, value: string, reason: string): string {
  return `Invalid value ${value} for configuration ${name}: ${reason}`;
}

function missing(key: ConfigKey): ConfigProblem {
  return { key: key.name, kind: 'missing', value: null, reason: 'missing', message: missingConfigMessage(key.name) };
}

/** An invalid-value problem; a reason that already is a full sentence is the message. */
function invalid(key: ConfigKey, shown: string, reason: string): ConfigProblem {
  const value = key.type === 'PASSWORD' ? HIDDEN_VALUE : shown;
  const sentence = reason.startsWith('Invalid value ') || reason.startsWith('Missing required configuration');
  return { key: key.name, kind: 'invalid', value, reason, message: sentence ? reason : invalidValueMessage(key.name, value, reason) };
}

/** The typed value of one string, or why it does not parse (a reason, not a message). */
function parseTyped(type: ConfigType, text: string): { value: ConfigValueType } | { reason: string } {
  switch (type) {
    case 'INT':
    case 'LONG': {
      if (!/^[+-]?\d+$/.test(text)) return { reason: `Not a number of type ${type}` };
      const big = BigInt(text);
      const [min, max] = type === 'INT' ? [INT_MIN, INT_MAX] : [LONG_MIN, LONG_MAX];
      if (big < min || big > max) return { reason: `Not a number of type ${type}` };
      return { value: Number(big) };
    }
    case 'DOUBLE': {
      const n = Number(text);
      if (!DECIMAL_NUMBER.test(text) || !Number.isFinite(n)) return { reason: 'Not a number of type DOUBLE' };
      return { value: n };
    }
    case 'BOOLEAN': {
      const lower = text.toLowerCase();
      if (lower === 'true') return { value: true };
      if (lower === 'false') return { value: false };
      return { reason: 'Expected value to be either true or false' };
    }
    case 'LIST':
      return { value: splitList(text) };
    case 'STRING':
    case 'CLASS':
    case 'PASSWORD':
      return { value: text };
  }
}

/** Parses one submitted string by the key's type; `{ error }` carries Kafka's message. */
export function parseConfigValue(key: ConfigKey, raw: string): { value: ConfigValueType } | { error: string } {
  const r = parseTyped(key.type, raw.trim());
  return 'reason' in r ? { error: invalid(key, raw, r.reason).message } : r;
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

/** One key of a submitted config: its value (default applied) and every problem. */
export function parseConfigKey(key: ConfigKey, raw: Readonly<Record<string, string>>): ParsedConfigKey {
  const submitted = Object.prototype.hasOwnProperty.call(raw, key.name) ? raw[key.name] : undefined;
  const required = key.default === undefined;
  let value: ConfigValueType;
  let shown: string;
  if (submitted === undefined || submitted === null || (required && String(submitted).trim() === '')) {
    if (required) return { value: null, problems: [missing(key)] };
    const def = key.default as ConfigValueType;
    if (typeof def === 'string') {
      const r = parseTyped(key.type, def.trim());
      if ('reason' in r) return { value: null, problems: [invalid(key, def, r.reason)] };
      value = r.value;
    } else {
      value = def;
    }
    shown = configValueToString(value, key.type) ?? 'null';
  } else {
    const text = String(submitted);
    const r = parseTyped(key.type, text.trim());
    if ('reason' in r) return { value: null, problems: [invalid(key, text, r.reason)] };
    value = r.value;
    shown = text.trim();
  }
  if (value === null) return { value, problems: [] };
  return { value, problems: checkValue(key, value, shown, raw) };
}

/** The key's validator, else its allowed values (each LIST item), on a parsed value. */
function checkValue(key: ConfigKey, value: NonNullable<ConfigValueType>, shown: string, raw: Readonly<Record<string, string>>): ConfigProblem[] {
  if (key.validator) {
    const reason = key.validator(value, raw);
    return reason ? [invalid(key, shown, reason)] : [];
  }
  if (!key.allowedValues || key.allowedValues.length === 0) return [];
  const allowed = key.allowedValues;
  const items = Array.isArray(value) ? value : [String(value)];
  return items.filter((item) => !allowed.includes(item)).map((item) => invalid(key, item, `String must be one of: ${allowed.join(', ')}`));
}

/** Parses `raw` against `def`; never throws for a bad value (it becomes a problem of its key). */
export function parseConfig(def: ConfigDef, raw: Readonly<Record<string, string>>): ParseConfigResult {
  const parsed: Record<string, ConfigValueType> = {};
  const errors: Record<string, string[]> = {};
  const problems: ConfigProblem[] = [];
  for (const key of def.keys) {
    const r = parseConfigKey(key, raw);
    parsed[key.name] = r.value;
    if (r.problems.length > 0) errors[key.name] = r.problems.map((p) => p.message);
    problems.push(...r.problems);
  }
  return { parsed, errors, problems };
}
