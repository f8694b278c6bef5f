/**
 * What a task runner reports to the worker's metrics (ConnectMetrics.forTask binds it to
 * one connector and task). Every call is cheap and never throws.
 */
export interface TaskMetrics {
  /** One source batch: `polled` records read from the task, `written` of them sent to `topics`, `seconds` from read to commit. */
  sourceBatch(batch: { polled: number; written: number; topics: Iterable<string>; seconds: number }): void;
  /** One sink batch of a topic-partition: `polled` consumed, `written` put and flushed, `lag` records behind its high watermark after it. */
  sinkBatch(batch: { topic: string; partition: number; polled: number; written: number; seconds: number; lag: number }): void;
  /** Records that failed conversion or a transform and were skipped (errors.tolerance=all). */
  recordsFailed(count: number): void;
  /** Time to make a batch's offsets durable (source: records and offsets; sink: the consumer offset commit). */
  offsetCommit(seconds: number): void;
  /** One record sent to the dead letter queue. */
  deadLetterRecord(): void;
  /** The task's snapshot progress per table (null: not snapshotting); pushed every second for tasks with the SnapshotProgressReporter hook. */
  snapshotProgress?(tables: readonly SnapshotTableProgress[] | null): void;
  /** The task's replication slot health (null: none known yet); pushed every second for tasks with the ReplicationSlotReporter hook. */
  replicationSlot?(health: ReplicationSlotHealth | null): void;
}

/**
 * Optional hook of a source task that knows how far behind its source it is (rows or
 * bytes not read yet). No source implements it yet; when one does, ConnectMetrics
 * exposes it as millrace_connect_source_lag{unit}.
 */
export interface SourceLagReporter {
  sourceLag(): { value: number; unit: 'records' | 'bytes' } | null;
}

/** Whether a source task implements the SourceLagReporter hook. */
export function hasSourceLag(task: object): task is SourceLagReporter {
  return typeof (task as Partial<SourceLagReporter>).sourceLag === 'function';
}

/** One table of a snapshot a source task is reading (or has read). */
export interface SnapshotTableProgress {
  readonly table: string;
  readonly rowsDone: number;
  /** Rows the table held when the snapshot was planned (count or estimate). */
  readonly estimatedRows: number;
  readonly chunksDone: number;
  readonly chunks: number;
  /** 'incremental': an incremental (re-)snapshot while streaming (its own series); default the initial snapshot. */
  readonly kind?: 'initial' | 'incremental';
}

/**
 * Optional hook of a source task that reads a chunked snapshot (the CDC sources):
 * its per-table progress, or null when it is not snapshotting. The task assembly pushes
 * it every second to TaskMetrics.snapshotProgress (across the thread boundary for tasks
 * in worker threads); ConnectMetrics exposes it as millrace_snapshot_rows_total /
 * _rows_done / _chunks_total / _chunks_done {table}, and the tables of kind
 * 'incremental' as millrace_incremental_snapshot_rows_total / _rows_done {table}.
 */
export interface SnapshotProgressReporter {
  snapshotProgress(): readonly SnapshotTableProgress[] | null;
}

export function hasSnapshotProgress(task: object): task is SnapshotProgressReporter {
  return typeof (task as Partial<SnapshotProgressReporter>).snapshotProgress === 'function';
}

/** A CDC source's replication slot as last sampled (Postgres: pg_replication_slots). */
export interface ReplicationSlotHealth {
  readonly slot: string;
  /** WAL the slot holds: pg_current_wal_lsn() - confirmed_flush_lsn, bytes. */
  readonly lagBytes: number;
  /** pg_replication_slots.wal_status (reserved, extended, unreserved, lost), null when unknown. */
  readonly walStatus: string | null;
  /** pg_replication_slots.safe_wal_size in bytes, null when unlimited or unknown. */
  readonly safeWalSizeBytes: number | null;
}

/**
 * Optional hook of a CDC source task streaming from a replication slot: the slot's last
 * sampled health. The task assembly pushes it every second to
 * TaskMetrics.replicationSlot (across the thread boundary for threaded tasks);
 * ConnectMetrics exposes it as millrace_cdc_slot_lag_bytes / _safe_wal_size_bytes /
 * _wal_status {connector, task, slot}.
 */
export interface ReplicationSlotReporter {
  replicationSlot(): ReplicationSlotHealth | null;
}

export function hasReplicationSlot(task: object): task is ReplicationSlotReporter {
  return typeof (task as Partial<ReplicationSlotReporter>).replicationSlot === 'function';
}
