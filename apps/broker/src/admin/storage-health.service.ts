import { Injectable, type OnModuleInit } from '@nestjs/common';
import { indexMismatchReadCount, LogManager, type CorruptRange } from '@millrace/storage';
import { Counter, Gauge } from 'prom-client';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { ReplicaManager } from '../partition/replica-manager';

export interface OfflinePartition {
  topic: string;
  partition: number;
  reason: string;
}

export interface StorageStatus {
  /** DEGRADED while a partition is offline or a corrupt range is not quarantined. */
  status: 'UP' | 'DEGRADED';
  offlinePartitions: OfflinePartition[];
  /** Corrupt ranges not yet quarantined (fetches from them answer CORRUPT_MESSAGE). */
  unresolvedCorruptRanges: number;
  logDir: { freeBytes: number; totalBytes: number } | null;
}

/**
 * What the broker reports about its storage: offline partitions (a failed write or
 * fsync), corrupt ranges and the log directory's free space. Feeds /health, the admin
 * API and these /metrics gauges (sampled at scrape time):
 *   millrace_log_dir_free_bytes, millrace_log_dir_total_bytes
 *   millrace_offline_partitions
 *   millrace_corrupt_ranges {topic, partition, quarantined}
 *   millrace_index_mismatch_reads_total (reads that found an index entry not matching the log)
 */
@Injectable()
export class StorageHealthService implements OnModuleInit {
  constructor(
    private readonly metrics: BrokerMetrics,
    private readonly replicas: ReplicaManager,
    private readonly logs: LogManager,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const space = (): ReturnType<LogManager['space']> => this.logs.space();
    const offline = (): number => this.offlinePartitions().length;
    const ranges = (): Array<{ topic: string; partition: number; range: CorruptRange }> => this.corruptRanges();
    new Gauge({
      name: 'millrace_log_dir_free_bytes',
      help: 'Bytes available on the log directory filesystem',
      registers,
      async collect() {
        this.set((await space()).freeBytes);
      },
    });
    new Gauge({
      name: 'millrace_log_dir_total_bytes',
      help: 'Size of the log directory filesystem',
      registers,
      async collect() {
        this.set((await space()).totalBytes);
      },
    });
    new Gauge({
      name: 'millrace_offline_partitions',
      help: 'Partitions whose log is offline after a write or fsync failure (produce answers KAFKA_STORAGE_ERROR)',
      registers,
      collect() {
        this.set(offline());
      },
    });
    new Gauge({
      name: 'millrace_corrupt_ranges',
      help: 'Stored offset ranges found corrupt, per partition, quarantined or not',
      labelNames: ['topic', 'partition', 'quarantined'],
      registers,
      collect() {
        this.reset();
        const counts = new Map<string, { topic: string; partition: string; quarantined: string; n: number }>();
        for (const { topic, partition, range } of ranges()) {
          const quarantined = String(range.quarantinedAtMs !== null);
          const key = `${topic}\u0000${partition}\u0000${quarantined}`;
          const c = counts.get(key) ?? { topic, partition: String(partition), quarantined, n: 0 };
          c.n++;
          counts.set(key, c);
        }
        for (const c of counts.values()) this.set({ topic: c.topic, partition: c.partition, quarantined: c.quarantined }, c.n);
      },
    });
    new Counter({
      name: 'millrace_index_mismatch_reads_total',
      help: 'Reads whose offset-index entry did not match the log and fell back to a scan',
      registers,
      collect() {
        this.reset();
        this.inc(indexMismatchReadCount());
      },
    });
  }

  offlinePartitions(): OfflinePartition[] {
    return this.replicas
      .allPartitions()
      .filter((p) => p.log.isOffline)
      .map((p) => ({ topic: p.topic, partition: p.index, reason: p.log.offlineReason ?? 'offline' }));
  }

  corruptRanges(): Array<{ topic: string; partition: number; range: CorruptRange }> {
    const out: Array<{ topic: string; partition: number; range: CorruptRange }> = [];
    for (const p of this.replicas.allPartitions()) {
      if (p.log.corruptRanges.count === 0) continue;
      for (const range of p.log.corruptRanges.list()) out.push({ topic: p.topic, partition: p.index, range });
    }
    return out;
  }

  async status(): Promise<StorageStatus> {
    const offlinePartitions = this.offlinePartitions();
    const unresolvedCorruptRanges = this.corruptRanges().filter((r) => r.range.quarantinedAtMs === null).length;
    const logDir = await this.logs.space().catch(() => null);
    const degraded = offlinePartitions.length > 0 || unresolvedCorruptRanges > 0;
    return { status: degraded ? 'DEGRADED' : 'UP', offlinePartitions, unresolvedCorruptRanges, logDir };
  }
}
