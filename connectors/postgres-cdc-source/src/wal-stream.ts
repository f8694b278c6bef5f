import type { SourceRecord } from '@millrace/connect-sdk';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { DurablePosition } from './durable-position';
import { formatLsn, parseLsn } from './lsn';

/**
 * Streaming from a logical replication slot with pgoutput through pg-logical-replication,
 * with the acknowledgement owned by the connector:
 *
 * - The library's automatic ack and its keepalive timer are off (`auto: false,
 *   timeoutSeconds: 0`): by default it acks every message as it arrives and, every 10 s,
 *   the last LSN *received* (keepalives included), which would let the slot pass WAL whose
 *   records never reached the broker.
 * - The only position ever reported is `durable`: the end LSN of the last transaction
 *   whose records the broker committed (`confirm`), or of an empty/uncaptured
 *   transaction once everything before it is durable. It is reported when the server
 *   asks (keepalive with reply requested) and every `statusIntervalMs`.
 *   The library writes `lsn + 1` as the flush position, so it is given `durable - 1`:
 *   the server then holds exactly `durable`, as its own subscribers report the end of
 *   the last applied commit (a transaction committed at `durable` itself is re-sent).
 * - Idle or uncaptured traffic does not pin WAL: an empty transaction (uncaptured writes,
 *   the connector's heartbeat message) moves the position as above and is reported within
 *   200 ms; a keepalive's LSN (the server's sent
 *   position) counts like an empty transaction ending there, but only when every message
 *   received so far is handled, no transaction is open, and nothing is queued or
 *   uncommitted (durable-position.ts); never while a transaction is unfinished.
 * - Logical messages are requested (`messages`, on PostgreSQL 14+) and go to the
 *   handler's `onMessage` (incremental snapshot watermarks and signals); the heartbeat's: a
 *   transaction holding only the heartbeat's `pg_logical_emit_message` then reaches the
 *   connector as an empty transaction (PostgreSQL 15+ skips transactions with nothing to
 *   send; before 15 every transaction is sent) and moves the position even when the
 *   database has no other traffic.
 * - Transactions are handed out whole (`take`), after their Commit; one whose commit end
 *   is <= `skipThrough` (already in the broker per the stored offset) is dropped, and its
 *   changes and messages are not handed to the handler. A transaction without records is
 *   still handed out when the handler's `commitTag` says `keep` (it carries offset state).
 * - Column values stay the server's text: the parser's per-column type parsers are
 *   replaced by the identity when a Relation message is parsed (RawTextPgoutputPlugin).
 * - Back-pressure: with flowControl on, the library waits for the data handler; the
 *   handler waits while more than `maxQueuedRecords` records are queued.
 */
export interface StreamedTransaction {
  readonly xid: number;
  /** Commit end LSN, text. */
  readonly endLsn: string;
  readonly records: SourceRecord[];
  /** Extra source-offset fields as of this transaction (the handler's `commitTag`). */
  readonly offsetExtra?: Readonly<Record<string, unknown>>;
}

export interface WalStreamHandler {
  /** A decoded change inside transaction `xid` (at XLogData `lsn`); returns its records (may be empty). */
  onChange(message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete, context: { xid: number; lsn: string; commitTimeMs: number; lastCommittedLsn: string }): Promise<SourceRecord[]>;
  /** A relation (table) description; may reload the table's model. */
  onRelation(message: Pgoutput.MessageRelation): Promise<void>;
  /** A logical message (pg_logical_emit_message) inside transaction `xid`; returns records for that transaction. */
  onMessage?(message: Pgoutput.MessageMessage, context: { xid: number; lsn: string; commitTimeMs: number; lastCommittedLsn: string }): Promise<SourceRecord[]>;
  /** A TRUNCATE of published tables inside transaction `xid`; returns its records. */
  onTruncate?(message: Pgoutput.MessageTruncate, context: { xid: number; lsn: string; commitTimeMs: number; lastCommittedLsn: string }): Promise<SourceRecord[]>;
  /**
   * At each commit, in stream order: extra fields for the source offset as of this
   * transaction, and whether it must be handed out even without records (it changed
   * state that only the offset records, so the slot may not pass it before that is stored).
   */
  commitTag?(): { readonly offsetExtra: Readonly<Record<string, unknown>>; readonly keep: boolean };
}

export interface WalStreamOptions {
  readonly client: Record<string, unknown>;
  readonly slotName: string;
  readonly publicationName: string;
  /** Where to start (the stored commit end, or the slot's consistent point). */
  readonly startLsn: string;
  readonly skipThrough: bigint;
  /** Offset fields of the position `startLsn` (what `lastHandedOut` says before any transaction). */
  readonly startOffsetExtra?: Readonly<Record<string, unknown>>;
  readonly statusIntervalMs: number;
  readonly maxQueuedRecords: number;
  /** Request logical messages (pgoutput `messages`, PostgreSQL 14+); see the class notes. */
  readonly messages?: boolean;
  readonly handler: WalStreamHandler;
  readonly onError: (err: Error) => void;
}

/** pgoutput with every column value left as the server's text; `onParsed` counts messages as they arrive. */
class RawTextPgoutputPlugin extends PgoutputPlugin {
  constructor(
    options: ConstructorParameters<typeof PgoutputPlugin>[0],
    private readonly onParsed: () => void,
  ) {
    super(options);
  }

  override parse(buffer: Buffer): Pgoutput.Message {
    const message = super.parse(buffer);
    this.onParsed();
    if (message.tag === 'relation') for (const column of message.columns) column.parser = (raw: unknown) => raw;
    return message;
  }
}

export class WalStream {
  private readonly service: LogicalReplicationService;
  private readonly queue: StreamedTransaction[] = [];
  private queuedRecords = 0;
  private current: { xid: number; commitTimeMs: number; records: SourceRecord[]; skip: boolean } | null = null;
  private readonly durable: DurablePosition;
  private lastCommitted: string;
  private lastOut: { lsn: string; xid: number | null; offsetExtra?: Readonly<Record<string, unknown>> };
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private dataWaiters: (() => void)[] = [];
  private spaceWaiters: (() => void)[] = [];
  private stopped = false;
  /** XLogData messages received (parsed) and fully handled: equal when the library's queue is empty. */
  private received = 0;
  private handled = 0;

  constructor(private readonly opts: WalStreamOptions) {
    this.durable = new DurablePosition(parseLsn(opts.startLsn));
    this.lastCommitted = opts.startLsn;
    this.lastOut = { lsn: opts.startLsn, xid: null, offsetExtra: opts.startOffsetExtra };
    this.service = new LogicalReplicationService(opts.client, { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } });
    this.service.on('data', async (lsn: string, message: Pgoutput.Message) => {
      try {
        await this.onData(lsn, message);
      } finally {
        this.handled++;
      }
    });
    this.service.on('heartbeat', (lsn: string, _ts: number, shouldRespond: boolean) => {
      const before = this.durable.lsn;
      if (this.received === this.handled && this.current === null) this.durable.empty(parseLsn(lsn), this.queue.length);
      if (shouldRespond || this.durable.lsn !== before) void this.report();
    });
    this.service.on('error', (err: Error) => {
      if (!this.stopped) opts.onError(err);
    });
  }

  async start(): Promise<void> {
    const plugin = new RawTextPgoutputPlugin({ protoVersion: 1, publicationNames: [this.opts.publicationName], messages: this.opts.messages ?? false }, () => this.received++);
    this.service.subscribe(plugin, this.opts.slotName, this.opts.startLsn).catch((err: unknown) => {
      if (!this.stopped) this.opts.onError(err instanceof Error ? err : new Error(String(err)));
    });
    this.timer = setInterval(() => void this.report(), this.opts.statusIntervalMs);
    this.timer.unref();
  }

  /** The flush position reported to the server (text). */
  get durableLsn(): string {
    return formatLsn(this.durable.lsn);
  }

  /** Whole transactions, oldest first, up to `maxRecords` records (at least one transaction when any is queued). */
  take(maxRecords: number): StreamedTransaction[] {
    const out: StreamedTransaction[] = [];
    let n = 0;
    while (this.queue.length > 0 && (out.length === 0 || n + this.queue[0].records.length <= maxRecords)) {
      const txn = this.queue.shift() as StreamedTransaction;
      n += txn.records.length;
      this.queuedRecords -= txn.records.length;
      this.durable.handedOut(parseLsn(txn.endLsn));
      this.lastOut = { lsn: txn.endLsn, xid: txn.xid, offsetExtra: txn.offsetExtra };
      out.push(txn);
    }
    if (out.length > 0) for (const w of this.spaceWaiters.splice(0)) w();
    return out;
  }

  /** The position after the last transaction handed out by `take` (the start position before any). */
  get lastHandedOut(): { readonly lsn: string; readonly xid: number | null; readonly offsetExtra?: Readonly<Record<string, unknown>> } {
    return this.lastOut;
  }

  /** Resolves when a transaction is queued, or after `ms`. */
  waitForData(ms: number): Promise<void> {
    if (this.queue.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.dataWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Transactions ending at or before `endLsn` are committed in the broker. */
  confirm(endLsn: string): void {
    this.durable.committed(parseLsn(endLsn), this.queue.length);
    void this.report();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    for (const w of [...this.spaceWaiters.splice(0), ...this.dataWaiters.splice(0)]) w();
    await this.service.destroy().catch(() => undefined);
  }

  /** Reports within 200 ms (one report for a run of empty transactions, e.g. heartbeats or uncaptured writes). */
  private reportSoon(): void {
    if (this.soon !== null || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.report();
    }, 200);
    this.soon.unref();
  }

  private async report(): Promise<void> {
    if (this.stopped || this.service.isStop()) return;
    await this.service.acknowledge(formatLsn(this.durable.lsn - 1n)).catch(() => undefined);
  }

  private async onData(lsn: string, message: Pgoutput.Message): Promise<void> {
    if (this.stopped) return;
    switch (message.tag) {
      case 'begin':
        // a transaction already in the broker (its commit precedes the stored commit end) is decoded but not handled
        this.current = {
          xid: message.xid,
          commitTimeMs: Number(BigInt(message.commitTime as bigint) / 1000n),
          records: [],
          skip: message.commitLsn !== null && parseLsn(message.commitLsn) < this.opts.skipThrough,
        };
        return;
      case 'relation':
        await this.opts.handler.onRelation(message);
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        const txn = this.current;
        if (!txn || txn.skip) return;
        const records = await this.opts.handler.onChange(message, { xid: txn.xid, lsn, commitTimeMs: txn.commitTimeMs, lastCommittedLsn: this.lastCommitted });
        for (const r of records) txn.records.push(r);
        return;
      }
      case 'message':
      case 'truncate': {
        const txn = this.current;
        if (!txn || txn.skip) return;
        const at = { xid: txn.xid, lsn, commitTimeMs: txn.commitTimeMs, lastCommittedLsn: this.lastCommitted };
        const records = message.tag === 'message' ? ((await this.opts.handler.onMessage?.(message, at)) ?? []) : ((await this.opts.handler.onTruncate?.(message, at)) ?? []);
        for (const r of records) txn.records.push(r);
        return;
      }
      case 'commit': {
        const txn = this.current;
        this.current = null;
        const endLsn = message.commitEndLsn;
        if (!txn || endLsn === null) return;
        const end = parseLsn(endLsn);
        if (end <= this.opts.skipThrough || txn.skip) return;
        const tag = this.opts.handler.commitTag?.();
        this.lastCommitted = endLsn;
        if (txn.records.length === 0 && tag?.keep !== true) {
          const before = this.durable.lsn;
          this.durable.empty(end, this.queue.length);
          if (this.durable.lsn !== before) this.reportSoon();
          return;
        }
        while (!this.stopped && this.queuedRecords >= this.opts.maxQueuedRecords) await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
        this.queue.push({ xid: txn.xid, endLsn, records: txn.records, ...(tag ? { offsetExtra: tag.offsetExtra } : {}) });
        this.queuedRecords += txn.records.length;
        for (const w of this.dataWaiters.splice(0)) w();
        return;
      }
      default:
        return;
    }
  }
}
