import { AvroConverter } from '@millrace/connect-sdk';
import { PartitionReader } from '@millrace/kafka-log';

/**
 * Reads a CDC topic (Avro keys and values, Debezium envelopes) for the Postgres CDC
 * tests: every committed record up to the last stable offset, through the project's
 * PartitionReader (no consumer group, so no join delay), decoded with the registry.
 */
export interface CdcEvent {
  readonly key: Record<string, unknown> | null;
  readonly op: string | null;
  readonly after: Record<string, unknown> | null;
  readonly before: Record<string, unknown> | null;
}

export async function readCdcTopic(bootstrap: string, registryUrl: string, topic: string, partitions = 1): Promise<CdcEvent[]> {
  const keys = new AvroConverter();
  keys.configure({ 'schema.registry.url': registryUrl }, true);
  const values = new AvroConverter();
  values.configure({ 'schema.registry.url': registryUrl }, false);
  const out: CdcEvent[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    const raw: { key: Buffer | null; value: Buffer | null }[] = [];
    const reader = new PartitionReader({ bootstrap: [bootstrap], topic, partition, maxWaitMs: 50, isolationLevel: 'read_committed' });
    try {
      const end = await reader.endOffset();
      if (end === 0) continue;
      await new Promise<void>((resolve) => {
        reader.start(0, (records, next) => {
          for (const r of records) raw.push({ key: r.key, value: r.value });
          if (next >= end) resolve();
        });
      });
    } finally {
      await reader.stop();
    }
    for (const r of raw) {
      const key = r.key === null ? null : ((await keys.toConnectData(topic, r.key)).value as Record<string, unknown>);
      if (r.value === null) {
        out.push({ key, op: null, after: null, before: null });
        continue;
      }
      const v = (await values.toConnectData(topic, r.value)).value as { op: string; after: Record<string, unknown> | null; before: Record<string, unknown> | null };
      out.push({ key, op: v.op, after: v.after, before: v.before });
    }
  }
  return out;
}

/** `r` records per key: how many keys were read more than once, and the extra reads. */
export function snapshotReadDuplicates(events: readonly CdcEvent[], keyOf: (e: CdcEvent) => string): { reads: number; keys: Set<string>; duplicateKeys: number; extraReads: number } {
  const counts = new Map<string, number>();
  let reads = 0;
  for (const e of events) {
    if (e.op !== 'r') continue;
    reads++;
    const k = keyOf(e);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let duplicateKeys = 0;
  let extraReads = 0;
  for (const n of counts.values()) {
    if (n > 1) {
      duplicateKeys++;
      extraReads += n - 1;
    }
  }
  return { reads, keys: new Set(counts.keys()), duplicateKeys, extraReads };
}
