/**
 * An inclusive range of protocol versions, parsed from the notation of Kafka's message
 * specs: `"3+"` (3 and later), `"0-2"` (0 to 2), `"5"` (only 5), `"none"` (empty).
 */
export interface VersionRange {
  readonly min: number;
  /** Inclusive; `Infinity` for open-ended ranges. */
  readonly max: number;
}

export const NO_VERSIONS: VersionRange = { min: 1, max: 0 };

export function parseVersions(spec: string): VersionRange {
  if (spec === 'none') return NO_VERSIONS;
  const open = /^(\d+)\+$/.exec(spec);
  if (open) return { min: Number(open[1]), max: Infinity };
  const closed = /^(\d+)-(\d+)$/.exec(spec);
  if (closed) return { min: Number(closed[1]), max: Number(closed[2]) };
  if (/^\d+$/.test(spec)) return { min: Number(spec), max: Number(spec) };
  throw new Error(`invalid version range "${spec}"`);
}

export function inVersions(range: VersionRange | null, version: number): boolean {
  return range !== null && version >= range.min && version <= range.max;
}
