/**
 * Reusable `ConfigKey.validator`s. Each returns a reason (Kafka's wording where Kafka has
 * one, e.g. "Value must be at least 1") or null; config-validator.ts wraps the reason as
 * `Invalid value v for configuration k: <reason>`. Validators are only called with a
 * parsed, non-null value. LIST values are checked item by item where that makes sense.
 */
import type { ConfigKey, ConfigValueType } from './config-def';
import { errorMessage } from '@millrace/app-common';

export type ConfigValidator = NonNullable<ConfigKey['validator']>;

function items(value: ConfigValueType): string[] {
  if (Array.isArray(value)) return value;
  return value === null ? [] : [String(value)];
}

/** Numbers within [min, max] (either bound optional). */
export function range(min?: number, max?: number): ConfigValidator {
  return (value) => {
    if (typeof value !== 'number' || Number.isNaN(value)) return 'Value must be a number';
    if (min !== undefined && value < min) return `Value must be at least ${min}`;
    if (max !== undefined && value > max) return `Value must be no more than ${max}`;
    return null;
  };
}

/** Numbers >= min. */
export function atLeast(min: number): ConfigValidator {
  return range(min, undefined);
}

/** A string (or every LIST item) among `values`. */
export function oneOf(values: readonly string[], caseInsensitive = false): ConfigValidator {
  const allowed = caseInsensitive ? values.map((v) => v.toLowerCase()) : values;
  const reason = caseInsensitive ? `String must be one of (case insensitive): ${values.join(', ')}` : `String must be one of: ${values.join(', ')}`;
  return (value) => {
    for (const item of items(value)) {
      if (!allowed.includes(caseInsensitive ? item.toLowerCase() : item)) return reason;
    }
    return null;
  };
}

/** A non-blank string (a LIST must have at least one item). */
export function nonEmptyString(): ConfigValidator {
  return (value) => {
    if (Array.isArray(value)) return value.length === 0 ? 'List must not be empty' : null;
    return typeof value === 'string' && value.trim() !== '' ? null : 'String must be non-empty';
  };
}

/** A string (or every LIST item) matching `pattern` in full; `description` replaces the pattern in the message. */
export function regex(pattern: RegExp, description?: string): ConfigValidator {
  const anchored = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
  return (value) => {
    for (const item of items(value)) {
      if (!anchored.test(item)) return `Value must match ${description ?? `the pattern ${pattern.source}`}`;
    }
    return null;
  };
}

/** A string that compiles as a regular expression (empty allowed: "not set"). */
export function validRegex(): ConfigValidator {
  return (value) => {
    for (const item of items(value)) {
      try {
        new RegExp(item);
      } catch (e) {
        return `Not a valid regular expression: ${errorMessage(e)}`;
      }
    }
    return null;
  };
}

/**
 * A URL (or every LIST item) with one of `schemes` (default http, https) and a host,
 * e.g. `http://127.0.0.1:8081`. Driver-style URLs (`jdbc:postgresql://h/db`) pass when
 * their scheme prefix is listed (`jdbc:postgresql`).
 */
export function urlLike(schemes: readonly string[] = ['http', 'https']): ConfigValidator {
  const lower = schemes.map((s) => s.toLowerCase());
  return (value) => {
    for (const item of items(value)) {
      const m = /^([a-z][a-z0-9+.-]*(?::[a-z][a-z0-9+.-]*)*):\/\/([^/?#\s]+)/i.exec(item);
      if (!m) return `Value must be a URL such as ${lower[0] ?? 'http'}://host:port`;
      if (!lower.includes(m[1].toLowerCase())) return `URL scheme must be one of: ${schemes.join(', ')}`;
    }
    return null;
  };
}

/** The first failing validator's reason. */
export function allOf(...validators: ConfigValidator[]): ConfigValidator {
  return (value, config) => {
    for (const v of validators) {
      const reason = v(value, config);
      if (reason) return reason;
    }
    return null;
  };
}
