import { sumBy, type MetricsSnapshot } from './metric-samples';

/**
 * Millrace's alert rules, defined once. Each rule has its PromQL form (rendered into
 * ops/prometheus/millrace-alerts.yml by prometheus-rules.ts, checked by promtool in CI)
 * and the same condition evaluated in-process over the app's own metrics
 * (alert-evaluator.ts), so the console and the webhook see what Prometheus would.
 *
 * `evaluate` answers the label sets for which the condition holds now; `history` holds
 * earlier snapshots of the same app (oldest first) for rules about change over a window.
 */
export type AlertApp = 'broker' | 'connect';
export type Severity = 'warning' | 'critical';

export interface AlertRule {
  readonly name: string;
  readonly app: AlertApp;
  readonly severity: Severity;
  /** How long the condition must hold before the alert fires (Prometheus `for`). */
  readonly forSeconds: number;
  readonly summary: string;
  readonly description: string;
  readonly promql: string;
  evaluate(now: MetricsSnapshot, history: readonly MetricsSnapshot[], ctx: RuleContext): Array<Record<string, string>>;
}

/** Evaluation settings: `windowSeconds(n)` is the window a rule uses for "over the last n seconds" (shortened for tests). */
export interface RuleContext {
  windowSeconds(seconds: number): number;
}

export const DEFAULT_CONTEXT: RuleContext = { windowSeconds: (s) => s };

/** Lag above which a growing consumer lag alerts (records). */
export const LAG_ALERT_MIN = 1000;
/** The window over which "growing" is judged. */
export const LAG_WINDOW_SECONDS = 600;
/** Free share of the log directory's filesystem below which the disk alert fires. */
export const DISK_FREE_MIN_RATIO = 0.1;

/** WAL a CDC replication slot may hold before its alert fires (bytes): 1 GiB. */
export const SLOT_LAG_ALERT_BYTES = 1024 ** 3;

/** The snapshot closest to `seconds` before `now` (null when the history is shorter). */
function windowStart(now: MetricsSnapshot, history: readonly MetricsSnapshot[], seconds: number): MetricsSnapshot | null {
  const target = now.at - seconds * 1000;
  let found: MetricsSnapshot | null = null;
  for (const s of history) if (s.at <= target) found = s;
  return found ?? (history.length > 0 && now.at - history[0].at >= (seconds * 1000) / 2 ? history[0] : null);
}

const positive = (now: MetricsSnapshot, name: string, by: readonly string[]): Array<Record<string, string>> =>
  [...sumBy(now, name, by).values()].filter((s) => s.value > 0).map((s) => s.labels);

export const ALERT_RULES: readonly AlertRule[] = [
  {
    name: 'MillraceConsumerLagGrowing',
    app: 'broker',
    severity: 'warning',
    forSeconds: 600,
    summary: 'Consumer group {{ $labels.group }} is falling behind',
    description: `The group's lag is above ${LAG_ALERT_MIN} records and grew over the last ${LAG_WINDOW_SECONDS / 60} minutes.`,
    promql: `sum by (group) (millrace_group_lag) > ${LAG_ALERT_MIN} and sum by (group) (delta(millrace_group_lag[${LAG_WINDOW_SECONDS / 60}m])) > 0`,
    evaluate(now, history, ctx) {
      const start = windowStart(now, history, ctx.windowSeconds(LAG_WINDOW_SECONDS));
      if (!start) return [];
      const before = sumBy(start, 'millrace_group_lag', ['group']);
      return [...sumBy(now, 'millrace_group_lag', ['group']).entries()].filter(([k, s]) => s.value > LAG_ALERT_MIN && s.value > (before.get(k)?.value ?? 0)).map(([, s]) => s.labels);
    },
  },
  {
    name: 'MillraceOfflinePartitions',
    app: 'broker',
    severity: 'critical',
    forSeconds: 0,
    summary: 'Partitions are offline',
    description: 'A log went offline after a failed write or fsync (disk full, I/O error): produce to it answers KAFKA_STORAGE_ERROR. See /health and /admin/storage.',
    promql: 'millrace_offline_partitions > 0',
    evaluate: (now) => positive(now, 'millrace_offline_partitions', []),
  },
  {
    name: 'MillraceUnderReplicatedPartitions',
    app: 'broker',
    severity: 'warning',
    forSeconds: 300,
    summary: 'Partitions are under-replicated',
    description: 'Their in-sync replica set is smaller than their replica list: a follower is down or lagging past replica.lag.time.max.ms; another failure could lose acks=1 writes or stop acks=all ones.',
    promql: 'millrace_under_replicated_partitions > 0',
    evaluate: (now) => positive(now, 'millrace_under_replicated_partitions', []),
  },
  {
    name: 'MillraceCorruptRanges',
    app: 'broker',
    severity: 'critical',
    forSeconds: 0,
    summary: 'Corrupt batches in {{ $labels.topic }}-{{ $labels.partition }}',
    description: 'Stored batches failed their checks; fetches from them answer CORRUPT_MESSAGE until an operator quarantines the range or deletes the records.',
    promql: 'sum by (topic, partition) (millrace_corrupt_ranges{quarantined="false"}) > 0',
    evaluate: (now) => {
      const open = (now.metrics.get('millrace_corrupt_ranges') ?? []).filter((s) => s.labels.quarantined === 'false');
      return positive({ at: now.at, metrics: new Map([['c', open]]) }, 'c', ['topic', 'partition']);
    },
  },
  {
    name: 'MillraceDiskNearlyFull',
    app: 'broker',
    severity: 'warning',
    forSeconds: 300,
    summary: 'The log directory is nearly full',
    description: `Less than ${DISK_FREE_MIN_RATIO * 100}% of the log directory's filesystem is free; a full disk takes partitions offline.`,
    promql: `millrace_log_dir_free_bytes / millrace_log_dir_total_bytes < ${DISK_FREE_MIN_RATIO}`,
    evaluate: (now) => {
      const free = sumBy(now, 'millrace_log_dir_free_bytes', []).get('{}')?.value;
      const total = sumBy(now, 'millrace_log_dir_total_bytes', []).get('{}')?.value;
      return free !== undefined && total !== undefined && total > 0 && free / total < DISK_FREE_MIN_RATIO ? [{}] : [];
    },
  },
  {
    name: 'MillraceConnectorTaskFailed',
    app: 'connect',
    severity: 'critical',
    forSeconds: 0,
    summary: 'Task {{ $labels.connector }}-{{ $labels.task }} failed',
    description: 'A connector task is FAILED; its trace is in GET /connectors/{connector}/status. Restart it once the cause is fixed.',
    promql: 'max by (connector, task) (millrace_connect_task_state{state="FAILED"}) > 0',
    evaluate: (now) => {
      const failed = (now.metrics.get('millrace_connect_task_state') ?? []).filter((s) => s.labels.state === 'FAILED');
      return positive({ at: now.at, metrics: new Map([['f', failed]]) }, 'f', ['connector', 'task']);
    },
  },
  {
    name: 'MillraceDeadLetterRecords',
    app: 'connect',
    severity: 'warning',
    forSeconds: 0,
    summary: 'Connector {{ $labels.connector }} sends records to its dead letter queue',
    description: 'Records failed conversion or transformation and were tolerated (errors.tolerance=all) into the DLQ topic.',
    promql: 'sum by (connector) (increase(millrace_connect_dead_letter_records_total[5m])) > 0',
    evaluate(now, history, ctx) {
      const start = windowStart(now, history, ctx.windowSeconds(300));
      const before = start ? sumBy(start, 'millrace_connect_dead_letter_records_total', ['connector']) : new Map<string, { value: number }>();
      return [...sumBy(now, 'millrace_connect_dead_letter_records_total', ['connector']).entries()].filter(([k, s]) => s.value > (before.get(k)?.value ?? 0)).map(([, s]) => s.labels);
    },
  },
  {
    name: 'MillraceSnapshotStalled',
    app: 'connect',
    severity: 'warning',
    forSeconds: 600,
    summary: 'The snapshot of {{ $labels.connector }} makes no progress',
    description: 'A CDC snapshot has rows left but read none in the last 10 minutes.',
    promql: 'sum by (connector) (millrace_snapshot_rows_total) > sum by (connector) (millrace_snapshot_rows_done) and sum by (connector) (delta(millrace_snapshot_rows_done[10m])) == 0',
    evaluate(now, history, ctx) {
      const start = windowStart(now, history, ctx.windowSeconds(600));
      if (!start) return [];
      const total = sumBy(now, 'millrace_snapshot_rows_total', ['connector']);
      const before = sumBy(start, 'millrace_snapshot_rows_done', ['connector']);
      return [...sumBy(now, 'millrace_snapshot_rows_done', ['connector']).entries()]
        .filter(([k, s]) => (total.get(k)?.value ?? 0) > s.value && s.value === (before.get(k)?.value ?? -1))
        .map(([, s]) => s.labels);
    },
  },
  {
    name: 'MillraceCdcSlotLagHigh',
    app: 'connect',
    severity: 'warning',
    forSeconds: 900,
    summary: 'Replication slot {{ $labels.slot }} of {{ $labels.connector }} holds a lot of WAL',
    description: `The slot holds more than ${SLOT_LAG_ALERT_BYTES / 1024 ** 3} GiB of WAL (pg_current_wal_lsn() - confirmed_flush_lsn): the connector is behind, stopped or failed, and the database cannot recycle that WAL. Check the connector's status; set max_slot_wal_keep_size to bound it.`,
    promql: `max by (connector, slot) (millrace_cdc_slot_lag_bytes) > ${SLOT_LAG_ALERT_BYTES}`,
    evaluate: (now) => [...sumBy(now, 'millrace_cdc_slot_lag_bytes', ['connector', 'slot']).values()].filter((s) => s.value > SLOT_LAG_ALERT_BYTES).map((s) => s.labels),
  },
  {
    name: 'MillraceCdcSlotLosingWal',
    app: 'connect',
    severity: 'critical',
    forSeconds: 0,
    summary: 'Replication slot {{ $labels.slot }} of {{ $labels.connector }} is losing WAL',
    description: "The slot's wal_status is unreserved (WAL it needs is about to be removed, max_slot_wal_keep_size) or lost (changes are gone: drop the slot and take a new snapshot).",
    promql: 'max by (connector, slot) (millrace_cdc_slot_wal_status{status=~"unreserved|lost"}) > 0',
    evaluate: (now) => {
      const atRisk = (now.metrics.get('millrace_cdc_slot_wal_status') ?? []).filter((s) => (s.labels.status === 'unreserved' || s.labels.status === 'lost') && s.value > 0);
      return positive({ at: now.at, metrics: new Map([['w', atRisk]]) }, 'w', ['connector', 'slot']);
    },
  },
];

/** The rules one app evaluates. */
export function rulesFor(app: AlertApp): AlertRule[] {
  return ALERT_RULES.filter((r) => r.app === app);
}
