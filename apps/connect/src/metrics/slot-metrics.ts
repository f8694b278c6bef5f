import { Gauge, type Registry } from 'prom-client';
import type { ReplicationSlotHealth } from './task-metrics';

/**
 * Replication slots of the CDC source tasks in /metrics, as last pushed by each task
 * (TaskMetrics.replicationSlot, every second; the task samples the database every 10 s),
 * per connector, task and slot:
 * - millrace_cdc_slot_lag_bytes: WAL the slot holds (pg_current_wal_lsn() - confirmed_flush_lsn);
 * - millrace_cdc_slot_safe_wal_size_bytes: WAL that may still be written before the slot
 *   loses WAL (max_slot_wal_keep_size); no series when unlimited;
 * - millrace_cdc_slot_wal_status{status}: 1 for the slot's wal_status, 0 for the others.
 * A task without a known slot (pushed null) has no series; a removed task's are dropped.
 */
const WAL_STATUSES = ['reserved', 'extended', 'unreserved', 'lost'];

export class SlotMetrics {
  private readonly latest = new Map<string, { connector: string; task: string; health: ReplicationSlotHealth }>();

  constructor(registry: Registry) {
    const latest = this.latest;
    const labelNames = ['connector', 'task', 'slot'];
    new Gauge({
      name: 'millrace_cdc_slot_lag_bytes',
      help: "WAL bytes the CDC source's replication slot holds (pg_current_wal_lsn() - confirmed_flush_lsn)",
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const { connector, task, health } of latest.values()) this.set({ connector, task, slot: health.slot }, health.lagBytes);
      },
    });
    new Gauge({
      name: 'millrace_cdc_slot_safe_wal_size_bytes',
      help: 'WAL bytes that can still be written before the slot loses WAL (pg_replication_slots.safe_wal_size; absent when unlimited)',
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const { connector, task, health } of latest.values()) if (health.safeWalSizeBytes !== null) this.set({ connector, task, slot: health.slot }, health.safeWalSizeBytes);
      },
    });
    new Gauge({
      name: 'millrace_cdc_slot_wal_status',
      help: "1 for the replication slot's wal_status, 0 for the others",
      labelNames: [...labelNames, 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { connector, task, health } of latest.values()) {
          if (health.walStatus === null) continue;
          for (const status of WAL_STATUSES) this.set({ connector, task, slot: health.slot, status }, status === health.walStatus ? 1 : 0);
        }
      },
    });
  }

  set(key: string, connector: string, id: number, health: ReplicationSlotHealth | null): void {
    if (health === null) this.latest.delete(key);
    else this.latest.set(key, { connector, task: String(id), health });
  }

  remove(key: string): void {
    this.latest.delete(key);
  }
}
