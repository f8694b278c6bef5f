import type { ConfigDef, ConfigKey, ConfigValueType, ParsedConfig } from '../config/config-def';
import { TransformConfigError } from './transform-config-error';

/**
 * Parses a raw string config against a ConfigDef, as Kafka's ConfigDef.parse does, for
 * the configs this module owns (transforms, predicates, errors.*). Contract:
 * - a missing or empty key without default is a `TransformConfigError.missing`;
 * - values are trimmed and parsed by type (INT/LONG integers, DOUBLE numbers, BOOLEAN
 *   true/false in any case, LIST comma-separated with empty items dropped);
 * - `allowedValues` then `validator` are checked on the parsed value;
 * - a string default is parsed like a submitted value.
 * The first failing key throws; keys in the error are `keyPrefix + name`.
 */
export function parseConfigValues(def: ConfigDef, raw: Readonly<Record<string, string>>, keyPrefix = ''): ParsedConfig {
  const parsed: Record<string, ConfigValueType> = {};
  for (const key of def.keys) {
    parsed[key.name] = parseKey(key, raw, keyPrefix);
  }
  return parsed;
}

function parseKey(key: ConfigKey, raw: Readonly<Record<string, string>>, keyPrefix: string): ConfigValueType {
  const fullName = keyPrefix + key.name;
  const submitted = Object.prototype.hasOwnProperty.call(raw, key.name) ? raw[key.name] : undefined;
  let value: ConfigValueType;
  let shown: string | null;
  if (submitted === undefined || (key.default === undefined && submitted.trim() === '')) {
    if (key.default === undefined) throw TransformConfigError.missing(fullName);
    if (typeof key.default !== 'string' || key.type === 'STRING' || key.type === 'PASSWORD' || key.type === 'CLASS') return key.default;
    shown = key.default;
    value = parseTyped(key, key.default, fullName);
  } else {
    shown = submitted;
    value = parseTyped(key, submitted, fullName);
  }
  if (key.allowedValues !== undefined && !key.validator && typeof value === 'string' && !key.allowedValues.includes(value)) {
    throw TransformConfigError.invalid(fullName, shown, `String must be one of: ${key.allowedValues.join(', ')}`);
  }
  if (key.validator) {
    const problem = key.validator(value, raw);
    if (problem !== null) throw TransformConfigError.invalid(fullName, key.type === 'PASSWORD' ? '[hidden]' : shown, problem);
  }
  return value;
}

function parseTyped(key: ConfigKey, text: string, fullName: string): ConfigValueType {
  const trimmed = text.trim();
  switch (key.type) {
    case 'STRING':
    case 'CLASS':
    case 'PASSWORD':
      return trimmed;
    case 'INT':
    case 'LONG': {
      if (!/^[+-]?\d+$/.test(trimmed)) throw TransformConfigError.invalid(fullName, text, `Not a number of type ${key.type}`);
      const n = Number(trimmed);
      if (key.type === 'INT' && (n > 2147483647 || n < -2147483648)) throw TransformConfigError.invalid(fullName, text, 'Not a number of type INT');
      return n;
    }
    case 'DOUBLE': {
      const n = Number(trimmed);
      if (trimmed === '' || Number.isNaN(n)) throw TransformConfigError.invalid(fullName, text, 'Not a number of type DOUBLE');
      return n;
    }
    case 'BOOLEAN': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw TransformConfigError.invalid(fullName, text, 'Expected value to be either true or false');
    }
    case 'LIST':
      return trimmed
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
  }
}

/** Typed readers for a ParsedConfig produced by `parseConfigValues`. */
export function configString(parsed: ParsedConfig, name: string): string | null {
  const v = parsed[name];
  return typeof v === 'string' ? v : null;
}

export function configList(parsed: ParsedConfig, name: string): string[] {
  const v = parsed[name];
  return Array.isArray(v) ? v : [];
}

export function configBoolean(parsed: ParsedConfig, name: string): boolean {
  return parsed[name] === true;
}

export function configNumber(parsed: ParsedConfig, name: string): number {
  const v = parsed[name];
  return typeof v === 'number' ? v : 0;
}
