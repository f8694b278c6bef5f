import { RegistryErrors } from './registry-errors';

/** The version id `latest` (or -1) in paths: the newest version a lookup can see. */
export const LATEST_VERSION = -1;

const MAX_VERSION = 2 ** 31 - 1;

/**
 * Parses a version path segment as Confluent does: `latest` or -1 mean the latest
 * version, otherwise an integer in [1, 2^31-1]. Anything else is 422 / 42202.
 */
export function parseVersionId(text: string): number {
  if (text.toLowerCase() === 'latest') return LATEST_VERSION;
  if (!/^-?\d+$/.test(text)) throw RegistryErrors.invalidVersion(text);
  const n = Number(text);
  if (n === LATEST_VERSION) return LATEST_VERSION;
  if (n < 1 || n > MAX_VERSION) throw RegistryErrors.invalidVersion(text);
  return n;
}

/** A boolean query parameter as JAX-RS reads it: true only for "true" in any case. */
export function parseFlag(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

/** A schema id path segment; a non-integer cannot name a schema, so it is 404 / 40403. */
export function parseSchemaId(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > MAX_VERSION) throw RegistryErrors.schemaNotFound(text);
  return Number(text);
}

/** A non-negative integer query parameter (offset, limit); absent or invalid gives the default. */
export function parseCount(value: unknown, fallback: number): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return fallback;
  return Number(value);
}
