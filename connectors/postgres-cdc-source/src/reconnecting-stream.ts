import type { ConnectorLogger } from '@millrace/connect-sdk';
import { formatLsn, parseLsn } from './lsn';
import { WalStream, type StreamedTransaction, type WalStreamOptions } from './wal-stream';

/**
 * A WalStream that survives a lost replication connection (the server restarted, the
 * walsender was terminated, the network dropped): instead of failing the task it opens a
 * new replication connection with backoff (1 s, doubling, at most 30 s between tries).
 *
 * Exactly-once across a reconnect:
 * - the broken stream hands out nothing more; what it had decoded but not handed out is
 *   dropped (the new stream decodes it again);
 * - before the new stream starts, every transaction already handed out must be committed
 *   in the broker (the broken stream keeps tracking `confirm`), so the new stream starts
 *   at that durable position and drops what is at or below it (`skipThrough`): nothing is
 *   handed out twice, and the new stream never confirms past an uncommitted transaction;
 * - `checkSlot` runs before each attempt: a slot that was dropped (or is held by another
 *   connection) is a permanent failure with its own message (what to run), not retried.
 * Contract: the task calls `failure()` on each read: non-null is the error to fail the
 * task with (permanent, or the connection could not be re-established for
 * `giveUpAfterMs`, default 5 min). take/waitForData/confirm/lastHandedOut/stop behave as
 * WalStream's.
 */
export interface ReconnectingStreamOptions extends Omit<WalStreamOptions, 'onError'> {
  readonly logger: Pick<ConnectorLogger, 'info' | 'warn'> | undefined;
  /** Throws (a PreflightError saying what to do) when the slot cannot be streamed from. */
  readonly checkSlot: () => Promise<void>;
  readonly giveUpAfterMs?: number;
  /** How long handed-out transactions may take to commit before a reconnect gives up. */
  readonly drainTimeoutMs?: number;
  /**
   * Called before a new replication connection starts, with the last transaction handed
   * out (all of them committed): state the handler built from transactions decoded but
   * never handed out must go back there, as the new stream decodes them again.
   */
  readonly onReopen?: (resumeFrom: { readonly lsn: string; readonly offsetExtra?: Readonly<Record<string, unknown>> }) => void;
}

export class ReconnectingStream {
  private current: WalStream;
  private broken = false;
  private fatal: Error | null = null;
  private stopped = false;
  private firstFailureAt: number | null = null;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private skipThrough: bigint;

  constructor(private readonly opts: ReconnectingStreamOptions) {
    this.skipThrough = opts.skipThrough;
    this.current = this.open(opts.startLsn, opts.startOffsetExtra);
  }

  async start(): Promise<void> {
    await this.current.start();
  }

  failure(): Error | null {
    return this.fatal;
  }

  get durableLsn(): string {
    return this.current.durableLsn;
  }

  get lastHandedOut(): { readonly lsn: string; readonly xid: number | null; readonly offsetExtra?: Readonly<Record<string, unknown>> } {
    return this.current.lastHandedOut;
  }

  take(maxRecords: number): StreamedTransaction[] {
    return this.broken ? [] : this.current.take(maxRecords);
  }

  waitForData(ms: number): Promise<void> {
    return this.broken ? new Promise((resolve) => setTimeout(resolve, Math.min(ms, 200))) : this.current.waitForData(ms);
  }

  confirm(endLsn: string): void {
    this.current.confirm(endLsn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.current.stop();
  }

  private open(startLsn: string, startOffsetExtra: Readonly<Record<string, unknown>> | undefined): WalStream {
    const stream: WalStream = new WalStream({ ...this.opts, startLsn, startOffsetExtra, skipThrough: this.skipThrough, onError: (err) => this.onError(stream, err) });
    return stream;
  }

  private onError(stream: WalStream, err: Error): void {
    if (this.stopped || stream !== this.current || this.broken) return;
    this.broken = true;
    const now = Date.now();
    this.firstFailureAt ??= now;
    void stream.stop();
    const giveUp = this.opts.giveUpAfterMs ?? 300_000;
    if (now - this.firstFailureAt > giveUp) {
      this.fatal = new Error(`replication connection of slot "${this.opts.slotName}" lost and not re-established within ${Math.round(giveUp / 1000)} s: ${err.message}`);
      return;
    }
    const delay = Math.min(30_000, 1000 * 2 ** this.attempt++);
    this.opts.logger?.warn(`postgres-cdc: replication connection of slot "${this.opts.slotName}" lost (${err.message}); reconnecting in ${delay / 1000} s from ${stream.durableLsn}`);
    this.retryTimer = setTimeout(() => void this.reconnect(stream), delay);
    this.retryTimer.unref();
  }

  private async reconnect(old: WalStream): Promise<void> {
    try {
      // every transaction handed out commits (or the runtime fails the task) before the new stream starts
      const handed = parseLsn(old.lastHandedOut.lsn);
      const deadline = Date.now() + (this.opts.drainTimeoutMs ?? 60_000);
      while (!this.stopped && parseLsn(old.durableLsn) < handed) {
        if (Date.now() > deadline) throw new Error(`transactions up to ${old.lastHandedOut.lsn} were not committed in the broker within the reconnect's wait`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (this.stopped) return;
      await this.opts.checkSlot();
      const durable = old.durableLsn;
      if (parseLsn(durable) > this.skipThrough) this.skipThrough = parseLsn(durable);
      this.opts.onReopen?.(old.lastHandedOut);
      const next = this.open(durable, old.lastHandedOut.offsetExtra);
      this.current = next;
      this.broken = false;
      await next.start();
      this.opts.logger?.info(`postgres-cdc: replication connection of slot "${this.opts.slotName}" re-established; streaming from ${formatLsn(parseLsn(durable))}`);
      // a connection that stays up for 30 s resets the backoff
      setTimeout(() => {
        if (this.current === next && !this.broken) {
          this.attempt = 0;
          this.firstFailureAt = null;
        }
      }, 30_000).unref();
    } catch (err) {
      if (this.stopped) return;
      const error = err instanceof Error ? err : new Error(String(err));
      if (error.name === 'PreflightError' || /not committed in the broker/.test(error.message)) {
        this.fatal = error;
        return;
      }
      // try again (counts towards giveUpAfterMs)
      this.broken = false;
      this.onError(this.current, error);
    }
  }
}
