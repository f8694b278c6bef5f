import * as fs from 'node:fs';
import { avroToConnectSchema, type AvroSchema, type ConnectorLogger, type ConnectSchema, type SourceRecord } from '@millrace/connect-sdk';
import type { Client } from 'pg';
import { platformSchemaPath } from './source-block';

/**
 * Heartbeats (`heartbeat.interval.ms`, 0 = off), as Debezium emits them and with the WAL
 * side PeerDB and Sequin use:
 * - every interval, while the connector streams, one record to
 *   `<topic.heartbeat.prefix>.<topic.prefix>` (Debezium's `__debezium-heartbeat.<prefix>`),
 *   key `io.debezium.connector.common.ServerNameKey {serverName}`, value
 *   `io.debezium.connector.common.Heartbeat {ts_ms}` (shapes read from the top-level
 *   `schemas/` folder), carrying the stream's current source offset — never a position
 *   past what was handed to the runtime, so committing it confirms nothing undurable.
 *   Debezium writes partition 0; here the partitioner chooses (the key never changes, so
 *   it is always the same partition): the project's producer skips Metadata — and with it
 *   the broker's topic auto-creation — for a record with an explicit partition;
 * - and a transactional logical message `pg_logical_emit_message(true,
 *   'millrace_heartbeat', '')` in the captured database: a transaction the slot decodes
 *   (empty: no captured rows), so the slot's confirmed position moves up to it even when
 *   the captured tables — or the whole database — are quiet. A failure to emit it (e.g.
 *   missing privilege on a managed server) is logged once and the records continue.
 * Contract: `due(now)` says whether a heartbeat is due and, if so, starts the next
 * interval; `emitWalMessage` never throws.
 */
export const HEARTBEAT_MESSAGE_PREFIX = 'millrace_heartbeat';

let keySchema: ConnectSchema | null = null;
let valueSchema: ConnectSchema | null = null;

function loadSchema(file: string): ConnectSchema {
  return avroToConnectSchema(JSON.parse(fs.readFileSync(platformSchemaPath(file), 'utf8')) as AvroSchema);
}

export function heartbeatSchemas(): { key: ConnectSchema; value: ConnectSchema } {
  keySchema ??= loadSchema('io.debezium.connector.common.ServerNameKey.avsc');
  valueSchema ??= loadSchema('io.debezium.connector.common.Heartbeat.avsc');
  return { key: keySchema, value: valueSchema };
}

export class Heartbeat {
  private next: number;
  private warned = false;
  private emitting = false;

  constructor(
    private readonly intervalMs: number,
    private readonly topic: string,
    private readonly serverName: string,
    private readonly logger: Pick<ConnectorLogger, 'warn'> | undefined,
    now: number = Date.now(),
  ) {
    this.next = now + intervalMs;
  }

  get enabled(): boolean {
    return this.intervalMs > 0;
  }

  due(now: number = Date.now()): boolean {
    if (!this.enabled || now < this.next) return false;
    this.next = now + this.intervalMs;
    return true;
  }

  /** The heartbeat record with the given source position. */
  record(partition: Readonly<Record<string, unknown>>, offset: Readonly<Record<string, unknown>>, now: number = Date.now()): SourceRecord {
    const { key, value } = heartbeatSchemas();
    return { topic: this.topic, kafkaPartition: null, keySchema: key, key: { serverName: this.serverName }, valueSchema: value, value: { ts_ms: now }, timestamp: now, headers: [], sourcePartition: partition, sourceOffset: offset };
  }

  /** Writes the heartbeat logical message (one at a time; errors logged once). */
  async emitWalMessage(db: Client | null): Promise<void> {
    if (!db || this.emitting) return;
    this.emitting = true;
    try {
      await db.query(`SELECT pg_logical_emit_message(true, '${HEARTBEAT_MESSAGE_PREFIX}', '')`);
    } catch (err) {
      if (!this.warned) {
        this.warned = true;
        this.logger?.warn(`postgres-cdc: could not write the heartbeat message (${err instanceof Error ? err.message : String(err)}); heartbeat records continue, but a quiet database may hold WAL until the slot's next keepalive`);
      }
    } finally {
      this.emitting = false;
    }
  }
}
