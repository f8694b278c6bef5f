import { originalTopicPartition, topicPartitionKey, type SinkRecord, type TopicPartition } from '@millrace/connect-sdk';

/**
 * The bookkeeping of an exactly-once sink that stores, with its rows and in the same
 * transaction, the next offset of every consumed partition (jdbc-sink's and
 * duckdb-sink's `millrace_sink_offsets`). Offsets are those of the consumed
 * topic-partitions: the records' `originalTopic`/`originalKafkaPartition`/
 * `originalKafkaOffset`, whatever the transforms made of their topic.
 *
 * Contract (the task drives it, serially):
 * - `applied` holds, per partition, the next offset already in the destination (null =
 *   none stored). The task fills it from its offset table: in `partitionsAssigned`, and
 *   in `write` for the partitions `unknownPartitions` names (first sight of a partition).
 * - `accept` buffers records in arrival order and drops those below the partition's floor
 *   (the pending next offset, else the applied one), so a runtime that re-delivers from an
 *   older Kafka offset never gets a record applied twice, even a keyless insert; records
 *   already buffered are not buffered twice.
 * - `pendingOffsets` are what the commit must save with the buffer; `committed` moves them
 *   to `applied` and empties the buffer.
 * - After a failed commit whose outcome may be unknown, the task re-reads the stored
 *   offsets of `pendingPartitions` and calls `reconcile`, which drops the buffered records
 *   they cover.
 * - `forget` drops revoked partitions' applied offsets; `clear` drops everything (teardown).
 */
/**
 * The table, in the destination database, holding a sink's next offset per consumed
 * partition (connector_name, topic, kafka_partition, next_offset, key_version), and the
 * key version written (2: the consumed topic-partition, before any transform).
 */
export const SINK_OFFSETS_TABLE = 'millrace_sink_offsets';
export const SINK_OFFSET_KEY_VERSION = 2;

export interface PartitionOffset extends TopicPartition {
  readonly nextOffset: number;
}

export class AppliedOffsets {
  /** Next offset already applied in the destination, per partition key; null = none stored. */
  private readonly applied = new Map<string, number | null>();
  /** Next offset of the buffered records, per partition key. */
  private readonly pending = new Map<string, PartitionOffset>();
  private buffer: SinkRecord[] = [];

  /** The buffered records, in arrival order. */
  get records(): readonly SinkRecord[] {
    return this.buffer;
  }

  /** Whether anything was accepted since the last commit (records, or partitions to advance). */
  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Records stored offsets (null = none stored) as applied. */
  setApplied(stored: ReadonlyMap<string, number | null>): void {
    for (const [key, next] of stored) this.applied.set(key, next);
  }

  /** Partitions of `records` whose applied offset is not known yet (load them, then `setApplied`). */
  unknownPartitions(records: readonly SinkRecord[]): TopicPartition[] {
    const unknown = new Map<string, TopicPartition>();
    // Records come in runs of one partition: each run's partition is looked at once.
    let last: SinkRecord | undefined;
    for (const r of records) {
      if (last !== undefined && last.originalTopic === r.originalTopic && last.originalKafkaPartition === r.originalKafkaPartition) continue;
      last = r;
      const tp = originalTopicPartition(r);
      const key = topicPartitionKey(tp);
      if (!this.applied.has(key) && !unknown.has(key)) unknown.set(key, tp);
    }
    return [...unknown.values()];
  }

  /** Buffers the records not applied or buffered yet; returns how many were dropped. */
  accept(records: readonly SinkRecord[]): number {
    let skipped = 0;
    // Records come in runs of one partition: its key and floor are looked up once per run,
    // and its pending offset is recorded when the run ends.
    let run: { tp: TopicPartition; key: string; floor: number | null; next: number | null } | null = null;
    const endRun = (): void => {
      if (run?.next != null) this.pending.set(run.key, { ...run.tp, nextOffset: run.next });
    };
    for (const r of records) {
      if (run === null || run.tp.topic !== r.originalTopic || run.tp.partition !== r.originalKafkaPartition) {
        endRun();
        const tp = originalTopicPartition(r);
        const key = topicPartitionKey(tp);
        run = { tp, key, floor: this.pending.get(key)?.nextOffset ?? this.applied.get(key) ?? null, next: null };
      }
      if (run.floor !== null && r.originalKafkaOffset < run.floor) {
        skipped++;
        continue;
      }
      this.buffer.push(r);
      run.floor = run.next = r.originalKafkaOffset + 1;
    }
    endRun();
    return skipped;
  }

  /** The next offsets to save with the buffered records. */
  pendingOffsets(): PartitionOffset[] {
    return [...this.pending.values()];
  }

  /** The buffer and `offsets` (what `pendingOffsets` returned) are in the destination. */
  committed(offsets: readonly PartitionOffset[]): void {
    for (const o of offsets) this.applied.set(topicPartitionKey(o), o.nextOffset);
    this.pending.clear();
    this.buffer = [];
  }

  /** After an unknown commit outcome: `stored` (re-read for the pending partitions) drops the buffered records it covers. */
  reconcile(stored: ReadonlyMap<string, number | null>): void {
    this.buffer = this.buffer.filter((r) => {
      const next = stored.get(topicPartitionKey(originalTopicPartition(r)));
      return next === null || next === undefined || r.originalKafkaOffset >= next;
    });
    this.setApplied(stored);
    this.pending.clear();
    for (const r of this.buffer) {
      const tp = originalTopicPartition(r);
      this.pending.set(topicPartitionKey(tp), { ...tp, nextOffset: r.originalKafkaOffset + 1 });
    }
  }

  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.applied.delete(topicPartitionKey(tp));
  }

  clear(): void {
    this.buffer = [];
    this.pending.clear();
    this.applied.clear();
  }
}
