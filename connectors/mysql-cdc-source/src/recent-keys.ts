import type { KeyTuple } from '@millrace/cdc-snapshot';

/**
 * The keys the stream handed out lately, per table, for binlog-position watermarks.
 *
 * Why: MySQL and MariaDB write (and send to binlog readers) a transaction before the
 * storage engine makes it visible. A transaction T at or before the low watermark can
 * thus be streamed and handed out before its window opens while the chunk SELECT, run
 * just after, still reads the row as it was before T; emitted at the close, that older
 * row would overwrite T's. The gap is the time from binlog sync to engine commit: µs to
 * ms, up to rpl_semi_sync_master_timeout (10 s by default) with semi-sync AFTER_SYNC.
 *
 * Contract: `since(ms)` answers every key handed out (`add`) within the last `ms`, by
 * table; when a window opens they count as changed in it (their chunk rows are dropped:
 * the stream already carries those rows' newer state, so dropping more is always safe).
 * Entries older than `keepMs` are let go on each `add`.
 */
export class RecentKeys {
  private readonly entries: { at: number; table: string; keys: readonly KeyTuple[] }[] = [];
  private head = 0;

  constructor(
    private readonly keepMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(table: string, keys: readonly KeyTuple[]): void {
    const at = this.now();
    this.entries.push({ at, table, keys });
    while (this.head < this.entries.length && this.entries[this.head].at < at - this.keepMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Keys handed out within the last `ms` (at most keepMs), grouped by table. */
  since(ms: number): Map<string, KeyTuple[]> {
    const from = this.now() - Math.min(ms, this.keepMs);
    const out = new Map<string, KeyTuple[]>();
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.at < from) continue;
      const list = out.get(e.table);
      if (list === undefined) out.set(e.table, [...e.keys]);
      else list.push(...e.keys);
    }
    return out;
  }

  clear(): void {
    this.entries.length = 0;
    this.head = 0;
  }
}

/** At a window's open: every key handed out within `graceMs` counts as changed in the window (see RecentKeys). */
export function markRecentAsChanged(runner: { onChange(table: string, keys: readonly KeyTuple[]): void }, recent: RecentKeys, graceMs: number): void {
  for (const [table, keys] of recent.since(graceMs)) runner.onChange(table, keys);
}
