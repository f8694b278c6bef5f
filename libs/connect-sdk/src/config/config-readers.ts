/**
 * Typed readers of a {@link ParsedConfig} (the `parsed` of config-parser.ts's
 * `parseConfig`, or what the runtime hands a connector). Each reads one key and answers
 * a neutral value when the key holds no value of that type (absent, null, or another
 * type): a reader never throws, so parse first and report the problems there.
 */
import type { ParsedConfig } from './config-def';

/** A STRING / CLASS / PASSWORD value; null when unset. */
export function configString(parsed: ParsedConfig, name: string): string | null {
  const v = parsed[name];
  return typeof v === 'string' ? v : null;
}

/** A STRING value, with null for both unset and the empty string. */
export function configNonEmptyString(parsed: ParsedConfig, name: string): string | null {
  const v = configString(parsed, name);
  return v === '' ? null : v;
}

/** A LIST value; empty when unset. */
export function configList(parsed: ParsedConfig, name: string): string[] {
  const v = parsed[name];
  return Array.isArray(v) ? v : [];
}

/** A BOOLEAN value; false when unset. */
export function configBoolean(parsed: ParsedConfig, name: string): boolean {
  return parsed[name] === true;
}

/** An INT / LONG / DOUBLE value; 0 when unset. */
export function configNumber(parsed: ParsedConfig, name: string): number {
  const v = parsed[name];
  return typeof v === 'number' ? v : 0;
}

/** An INT / LONG / DOUBLE value; null when unset (a key whose default is null). */
export function configOptionalNumber(parsed: ParsedConfig, name: string): number | null {
  const v = parsed[name];
  return typeof v === 'number' ? v : null;
}
