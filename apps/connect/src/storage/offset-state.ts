import type { LogRecord } from '@millrace/kafka-log';

export type SourcePartition = Readonly<Record<string, unknown>>;
export type SourceOffset = Readonly<Record<string, unknown>>;

export interface SourceOffsetEntry {
  readonly partition: SourcePartition;
  /** null removes the partition's offset (a tombstone). */
  readonly offset: SourceOffset | null;
}

/**
 * Source offsets as stored in `connect-offsets`, Kafka Connect's format (JsonConverter,
 * schemas disabled):
 *
 *   key   `["<connector>", {<source partition>}]`
 *   value `{<source offset>}`, null = offset removed
 *
 * The latest value per key wins. Source partitions compare by their JSON with object
 * keys sorted, so `{a,b}` and `{b,a}` are the same partition.
 */
export class OffsetState {
  /** connector -> canonical partition JSON -> entry. */
  private readonly byConnector = new Map<string, Map<string, { partition: SourcePartition; offset: SourceOffset }>>();

  offsets(connector: string): { partition: SourcePartition; offset: SourceOffset }[] {
    return [...(this.byConnector.get(connector)?.values() ?? [])].map((e) => ({ partition: e.partition, offset: e.offset }));
  }

  offset(connector: string, partition: SourcePartition): SourceOffset | null {
    return this.byConnector.get(connector)?.get(canonicalJson(partition))?.offset ?? null;
  }

  /** Applies one connect-offsets record; records of one key must come in log order. */
  apply(record: Pick<LogRecord, 'key' | 'value'>): void {
    const key = JSON.parse(record.key) as unknown;
    if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string' || typeof key[1] !== 'object' || key[1] === null) {
      throw new Error(`malformed offset key ${record.key}`);
    }
    const [connector, partition] = key as [string, SourcePartition];
    const canonical = canonicalJson(partition);
    if (record.value === null) {
      this.byConnector.get(connector)?.delete(canonical);
      return;
    }
    const offset = JSON.parse(record.value) as SourceOffset;
    let map = this.byConnector.get(connector);
    if (!map) {
      map = new Map();
      this.byConnector.set(connector, map);
    }
    map.set(canonical, { partition, offset });
  }
}

/** The connect-offsets record of one entry. */
export function offsetRecord(connector: string, entry: SourceOffsetEntry): { key: string; value: string | null } {
  return { key: JSON.stringify([connector, entry.partition]), value: entry.offset === null ? null : JSON.stringify(entry.offset) };
}

/** JSON with object keys sorted at every level: equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
