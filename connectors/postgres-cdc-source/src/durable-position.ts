/**
 * The flush position a CDC stream may report to the server: never past a transaction
 * whose records are not committed in the broker.
 *
 * Contracts (LSNs are commit end positions, in stream order):
 * - `handedOut(end)`: a transaction with records was given to the runtime.
 * - `committed(end)`: the broker committed every record of the transactions ending at
 *   or before `end`; the position moves to `end`.
 * - `empty(end, queued)`: a transaction without captured records ended at `end`; the
 *   position may move there only once nothing handed out is uncommitted and nothing is
 *   queued (`queued` = transactions decoded but not handed out yet), since those end
 *   before it. Until then it waits, and the latest such end is applied later.
 * - The position never moves backwards.
 */
export class DurablePosition {
  private current: bigint;
  private readonly outstanding = new Set<bigint>();
  private pendingEmpty: bigint | null = null;

  constructor(start: bigint) {
    this.current = start;
  }

  get lsn(): bigint {
    return this.current;
  }

  handedOut(end: bigint): void {
    this.outstanding.add(end);
  }

  committed(end: bigint, queued: number): void {
    for (const o of [...this.outstanding]) if (o <= end) this.outstanding.delete(o);
    if (end > this.current) this.current = end;
    this.applyEmpty(queued);
  }

  empty(end: bigint, queued: number): void {
    if (this.pendingEmpty === null || end > this.pendingEmpty) this.pendingEmpty = end;
    this.applyEmpty(queued);
  }

  private applyEmpty(queued: number): void {
    if (this.pendingEmpty !== null && this.outstanding.size === 0 && queued === 0) {
      if (this.pendingEmpty > this.current) this.current = this.pendingEmpty;
      this.pendingEmpty = null;
    }
  }
}
