import type { ConnectorContext, ConnectorLogger, SourceRecord, SourceTask, SourceTaskContext } from '@millrace/connect-sdk';

/**
 * Test stand-ins for the runtime around a source task: contexts, a committed-offset store
 * fed by acks, and a read loop. Used by the integration tests only.
 */
export const quietLogger: ConnectorLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

export function partitionKey(partition: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.keys(partition).sort().map((k) => [k, partition[k]]));
}

/** The runtime's offset store: the last acked offset per source partition. */
export class OffsetStore {
  readonly offsets = new Map<string, Readonly<Record<string, unknown>>>();

  commit(records: readonly SourceRecord[]): void {
    for (const r of records) this.offsets.set(partitionKey(r.sourcePartition), r.sourceOffset);
  }

  context(taskId = 0): SourceTaskContext {
    return {
      connectorName: 'jdbc-test',
      taskId,
      logger: quietLogger,
      offset: (partition) => this.offsets.get(partitionKey(partition)) ?? null,
    };
  }
}

export function connectorContext(): ConnectorContext & { reconfigurations: number; errors: Error[] } {
  const ctx = {
    name: 'jdbc-test',
    logger: quietLogger,
    reconfigurations: 0,
    errors: [] as Error[],
    requestTaskReconfiguration(): void {
      ctx.reconfigurations++;
    },
    raiseError(error: Error): void {
      ctx.errors.push(error);
    },
  };
  return ctx;
}

/**
 * Reads (and acks into `store`) until `done(all records so far)` holds, failing after
 * `timeoutMs`. Returns every record read.
 */
export async function readUntil(
  tasks: readonly SourceTask[],
  store: OffsetStore,
  done: (records: readonly SourceRecord[]) => boolean,
  timeoutMs = 20_000,
  maxRecords = 500,
): Promise<SourceRecord[]> {
  const all: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(all)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms with ${all.length} records`);
    for (const task of tasks) {
      const batch = await task.read(maxRecords);
      if (batch.length > 0) {
        await task.ack(batch);
        store.commit(batch);
        all.push(...batch);
      }
    }
  }
  return all;
}

/** Reads for `ms` and returns whatever arrived (to prove that nothing more comes). */
export async function readFor(tasks: readonly SourceTask[], store: OffsetStore, ms: number): Promise<SourceRecord[]> {
  const end = Date.now() + ms;
  return readUntil(tasks, store, () => Date.now() >= end, ms + 5_000);
}

/** `topic/key-or-value-json` identities, for once-and-only-once checks. */
export function identities(records: readonly SourceRecord[], idOf: (r: SourceRecord) => unknown): string[] {
  return records.map((r) => `${r.topic}/${JSON.stringify(idOf(r), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
}
