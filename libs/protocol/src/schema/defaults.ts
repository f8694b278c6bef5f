import type { AnyField } from './fields';

/** The zero UUID in Kafka's textual form. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

const EMPTY = Buffer.alloc(0);

/**
 * A fresh default value for `field`: its explicit default, else 0 / false / '' /
 * empty Buffer / zero UUID / null (records) / [] (array) / struct of defaults.
 * Mutable defaults (arrays, structs) are newly created on every call.
 */
export function defaultValue(field: AnyField): unknown {
  if (field.explicitDefault !== undefined) {
    const v = field.explicitDefault.value;
    return Array.isArray(v) ? [] : v;
  }
  switch (field.kind) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return EMPTY;
    case 'records':
      return null;
    case 'array':
      return [];
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const [name, f] of Object.entries(field.fields ?? {})) o[name] = defaultValue(f);
      return o;
    }
    default:
      return 0;
  }
}

/** Whether `value` equals the default of `field` (deeply for structs, by length for empty arrays/bytes). */
export function isDefault(field: AnyField, value: unknown): boolean {
  const d = field.explicitDefault !== undefined ? field.explicitDefault.value : undefined;
  if (value === undefined) return true;
  if (field.explicitDefault !== undefined && !Array.isArray(d)) return value === d;
  switch (field.kind) {
    case 'bytes':
      return Buffer.isBuffer(value) && value.length === 0;
    case 'array':
      return Array.isArray(value) && value.length === 0;
    case 'struct': {
      if (value === null || typeof value !== 'object') return false;
      const o = value as Record<string, unknown>;
      return Object.entries(field.fields ?? {}).every(([name, f]) => isDefault(f, o[name]));
    }
    default:
      return value === defaultValue(field);
  }
}
