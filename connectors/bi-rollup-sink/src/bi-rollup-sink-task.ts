import {
  RetriableError,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
} from '@millrace/connect-sdk';
import { errorMessage } from '@millrace/app-common';
import { AppliedOffsets } from '@millrace/sink-rows';
import { isRetriableDbError } from '@millrace/jdbc-sink';
import { parseBiRollupConfig, type BiRollupConfig } from './bi-rollup-config';
import { foldRecords } from './fold-records';
import { openRollupConnection } from './open-connection';
import { ensureRollupTables } from './rollup-tables';
import { applyRollupDelta } from './rollup-writer';
import { RollupOffsetStore } from './rollup-offsets';
import type { RollupConnection } from './dialect/rollup-dialect';

/**
 * The rollup sink task: folds change records into the rollups' deltas and applies them,
 * with the consumed offsets, in one database transaction (exactly once).
 *
 * Exactly-once contract (as the jdbc-sink's, see its task): offsets are the consumed
 * topic-partitions' (`original*`), stored in millrace_sink_offsets by the transaction
 * that applies the deltas they cover; `partitionsAssigned` returns them so the runtime
 * seeks there; records below the applied offset of their partition are dropped (a
 * re-delivery is never folded twice); after a failed commit the stored offsets are read
 * again before the next attempt and the buffer is trimmed to what is not applied.
 *
 * Buffering: `write` buffers records and commits once `batch.size` are buffered; `flush`
 * and `partitionsRevoked` commit the rest; `teardown` discards the uncommitted buffer.
 * A commit folds the whole buffer into one delta per rollup (rollup-delta.ts), creates
 * missing rollup tables (outside the transaction), then applies every rollup's delta and
 * saves the offsets in one transaction. Not safe for concurrent calls (the runtime calls
 * a task serially).
 */
export class BiRollupSinkTask implements SinkTask {
  private config?: BiRollupConfig;
  private conn?: RollupConnection;
  private offsets?: RollupOffsetStore;
  private context?: SinkTaskContext;
  private readonly ensured = new Set<string>();
  /** Applied and pending offsets and the buffered records (exactly-once bookkeeping, @millrace/sink-rows). */
  private readonly offsetsState = new AppliedOffsets();
  private recheckOffsets = false;
  private closed = false;

  /** Records folded, skipped (already applied), commits and groups written since open. */
  readonly stats = { folded: 0, skipped: 0, commits: 0, groups: 0 };

  async open(rawConfig: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> {
    this.config = parseBiRollupConfig(rawConfig);
    this.context = context;
    this.closed = false;
    await this.connection();
  }

  async partitionsAssigned(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, number | null>> {
    const stored = await this.loadOffsets(partitions);
    this.offsetsState.setApplied(stored);
    return stored;
  }

  async partitionsRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    await this.commitBuffer();
    this.offsetsState.forget(partitions);
  }

  async write(records: readonly SinkRecord[]): Promise<void> {
    const config = this.requireOpen();
    const unknown = this.offsetsState.unknownPartitions(records);
    if (unknown.length > 0) this.offsetsState.setApplied(await this.loadOffsets(unknown));
    this.stats.skipped += this.offsetsState.accept(records);
    if (this.offsetsState.records.length >= config.batchSize) await this.commitBuffer();
  }

  async flush(): Promise<void> {
    this.requireOpen();
    await this.commitBuffer();
  }

  async teardown(): Promise<void> {
    this.closed = true;
    this.offsetsState.clear();
    await this.dropConnection();
  }

  private async commitBuffer(): Promise<void> {
    if (!this.offsetsState.hasPending || this.closed) return;
    const config = this.requireOpen();
    try {
      const conn = await this.connection();
      if (this.recheckOffsets) {
        await this.dropAlreadyApplied();
        this.recheckOffsets = false;
        if (!this.offsetsState.hasPending) return;
      }
      const buffered = this.offsetsState.records;
      const deltas = foldRecords(config.rollups, buffered);
      for (const delta of deltas) {
        if (this.ensured.has(delta.rollup.name) || delta.groups.size === 0) continue;
        await ensureRollupTables(conn, delta.rollup, delta.columnKinds);
        this.ensured.add(delta.rollup.name);
      }
      const offsets = this.offsetsState.pendingOffsets();
      let groups = 0;
      await conn.begin();
      try {
        for (const delta of deltas) groups += await applyRollupDelta(conn, delta);
        await (this.offsets as RollupOffsetStore).save(offsets);
        await conn.commit();
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw err;
      }
      this.stats.folded += buffered.length;
      this.stats.commits++;
      this.stats.groups += groups;
      this.offsetsState.committed(offsets);
    } catch (err) {
      if (!isRetriableDbError(err)) throw err;
      this.recheckOffsets = true;
      await this.dropConnection();
      throw new RetriableError(`bi-rollup-sink: applying a batch failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** After an unknown commit outcome: re-read stored offsets, drop buffered records they cover. */
  private async dropAlreadyApplied(): Promise<void> {
    this.offsetsState.reconcile(await this.loadOffsets(this.offsetsState.pendingOffsets()));
  }

  private async loadOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number | null>> {
    this.requireOpen();
    try {
      await this.connection();
      return await (this.offsets as RollupOffsetStore).load(partitions);
    } catch (err) {
      if (!isRetriableDbError(err)) throw err;
      await this.dropConnection();
      throw new RetriableError(`bi-rollup-sink: reading millrace_sink_offsets failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  private async connection(): Promise<RollupConnection> {
    if (this.conn) return this.conn;
    const config = this.requireOpen();
    const conn = await openRollupConnection(config, this.context?.logger);
    const offsets = new RollupOffsetStore(conn, this.context?.connectorName ?? 'bi-rollup-sink');
    try {
      await offsets.ensureTable();
    } catch (err) {
      await conn.close();
      throw err;
    }
    this.conn = conn;
    this.offsets = offsets;
    this.ensured.clear();
    return conn;
  }

  private async dropConnection(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.offsets = undefined;
    if (conn) await conn.close().catch(() => undefined);
  }

  private requireOpen(): BiRollupConfig {
    if (!this.config || this.closed) throw new Error('bi-rollup-sink task is not open');
    return this.config;
  }
}
