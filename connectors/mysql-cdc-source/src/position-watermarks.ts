/**
 * Read-only watermarks for incremental snapshot windows: binlog positions instead of rows
 * written to a signal table (for managed databases, and for snapshot.locking.mode=none,
 * which must take no lock and write nothing). The reader records the server's binlog end
 * (SHOW MASTER STATUS / SHOW BINARY LOG STATUS, the same on MySQL and MariaDB, GTIDs on or
 * off) before (`open`) and after (`close`) each chunk SELECT; the task reports where its
 * stream stands and gets back the watermarks to hand to the runner, in order.
 *
 * Contracts (the DBLog reasoning, with binlog order = commit order):
 * - `open` is due at once (`due` returns it whatever the stream position): the window
 *   opens at or before the low watermark, so every change the chunk SELECT may have missed
 *   or seen half-committed removes its key (opening early only drops more rows, never
 *   emits a stale one: the stream carries those rows' newer state).
 * - `close` at position H is due once the stream has handed out everything up to H
 *   (stream position >= H): before the first transaction ending after H, or when the
 *   stream is idle at or past H. Everything committed after H the SELECT (finished before
 *   H was read) cannot have seen, so the surviving chunk rows go out exactly there.
 * - Positions compare by binlog file sequence number (the numeric suffix), then offset.
 * - Watermarks of a window the runner dropped (stop signal, failed chunk) still come due;
 *   the runner ignores ids it does not know.
 */
export interface BinlogPoint {
  readonly file: string;
  readonly pos: number;
}

export interface PositionWatermark extends BinlogPoint {
  readonly id: string;
  readonly type: 'open' | 'close';
}

/** Negative, zero or positive as `a` is before, at or after `b` in the binlog. */
export function compareBinlogPoints(a: BinlogPoint, b: BinlogPoint): number {
  const seq = (file: string): number => Number(/\.(\d+)$/.exec(file)?.[1] ?? NaN);
  const sa = seq(a.file);
  const sb = seq(b.file);
  if (a.file !== b.file) {
    if (Number.isNaN(sa) || Number.isNaN(sb)) throw new Error(`binlog file names without a sequence number: ${a.file}, ${b.file}`);
    if (sa !== sb) return sa - sb;
  }
  return a.pos - b.pos;
}

export class PositionWatermarks {
  private readonly pending: PositionWatermark[] = [];

  /** A watermark the reader just took (in the order taken). */
  add(mark: PositionWatermark): void {
    this.pending.push(mark);
  }

  get size(): number {
    return this.pending.length;
  }

  /** The watermarks due with the stream having handed out everything up to `streamAt` (null: position unknown, opens only), in order. */
  due(streamAt: BinlogPoint | null): PositionWatermark[] {
    const out: PositionWatermark[] = [];
    while (this.pending.length > 0) {
      const head = this.pending[0];
      const reached = head.type === 'open' || (streamAt !== null && streamAt.file !== '' && compareBinlogPoints(head, streamAt) <= 0);
      if (!reached) break;
      out.push(head);
      this.pending.shift();
    }
    return out;
  }
}
