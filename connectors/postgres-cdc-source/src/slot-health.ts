import type { ConnectorLogger } from '@millrace/connect-sdk';
import type { Client } from 'pg';

/**
 * The replication slot's health while streaming, shown in the task's status (its RUNNING
 * `trace`) every `intervalMs` and logged when it turns bad:
 *   slot "s": 12.3 kB of WAL held (confirmed_flush_lsn 0/1A2B3C4), wal_status reserved, safe_wal_size unlimited
 * - held = pg_current_wal_lsn() - confirmed_flush_lsn: the WAL the slot keeps the server
 *   from recycling (what a quiet or stuck connector costs the database);
 * - wal_status / safe_wal_size as pg_replication_slots reports them (PostgreSQL 13+):
 *   'unreserved' warns that the slot is about to lose WAL (max_slot_wal_keep_size),
 *   'lost' means changes are gone (the reconnect's slot check then fails the task).
 * Contract: `tick` never throws and runs at most one query at a time.
 */
export interface SlotHealth {
  readonly walStatus: string | null;
  readonly safeWalSize: bigint | null;
  readonly heldBytes: bigint;
  readonly confirmedFlushLsn: string | null;
}

export async function readSlotHealth(db: Client, slot: string): Promise<SlotHealth | null> {
  // to_jsonb(s): the columns PostgreSQL 13 added read as null on older servers
  const { rows } = await db.query<{ wal_status: string | null; safe_wal_size: string | null; held: string | null; confirmed: string | null }>(
    `SELECT to_jsonb(s) ->> 'wal_status' AS wal_status, to_jsonb(s) ->> 'safe_wal_size' AS safe_wal_size, (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS held,
            confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots s WHERE slot_name = $1`,
    [slot],
  );
  const r = rows[0];
  if (!r) return null;
  return { walStatus: r.wal_status, safeWalSize: r.safe_wal_size === null ? null : BigInt(r.safe_wal_size), heldBytes: BigInt(r.held ?? '0'), confirmedFlushLsn: r.confirmed };
}

export function bytesText(n: bigint): string {
  const abs = n < 0n ? -n : n;
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = Number(abs);
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return `${n < 0n ? '-' : ''}${u === 0 ? value : value.toFixed(1)} ${units[u]}`;
}

export function describeSlotHealth(slot: string, h: SlotHealth): string {
  return (
    `slot "${slot}": ${bytesText(h.heldBytes)} of WAL held (confirmed_flush_lsn ${h.confirmedFlushLsn ?? 'none'})` +
    (h.walStatus === null ? '' : `, wal_status ${h.walStatus}, safe_wal_size ${h.safeWalSize === null ? 'unlimited' : bytesText(h.safeWalSize)}`)
  );
}

export class SlotHealthReporter {
  private next = 0;
  private running = false;
  private lastStatus: string | null = null;
  /** The last sample (null before the first). */
  last: SlotHealth | null = null;

  constructor(
    private readonly slot: string,
    private readonly intervalMs: number,
    private readonly report: (message: string) => void,
    private readonly logger: Pick<ConnectorLogger, 'warn'> | undefined,
  ) {}

  tick(db: Client | null, now: number = Date.now()): void {
    if (!db || this.running || now < this.next) return;
    this.next = now + this.intervalMs;
    this.running = true;
    void readSlotHealth(db, this.slot)
      .then((h) => {
        if (!h) return;
        this.last = h;
        this.report(describeSlotHealth(this.slot, h));
        if (h.walStatus !== this.lastStatus && (h.walStatus === 'unreserved' || h.walStatus === 'lost')) {
          this.logger?.warn(
            `postgres-cdc: replication slot "${this.slot}" has wal_status ${h.walStatus}: ` +
              (h.walStatus === 'lost' ? 'the WAL it needed was removed (max_slot_wal_keep_size); changes since are gone' : 'it is about to lose WAL (max_slot_wal_keep_size); check why the connector falls behind'),
          );
        }
        this.lastStatus = h.walStatus;
      })
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
      });
  }
}
