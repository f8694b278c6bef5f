import { parseSignal } from '@millrace/cdc-snapshot';
import { Client } from 'pg';
import { SIGNAL_MESSAGE_PREFIX } from './incremental-snapshot';
import { clientOptions, parsePostgresCdcConfig } from './postgres-cdc-config';

/**
 * The plugin's `sendSignal` (what `POST|DELETE /connectors/{c}/snapshots` calls): checks
 * the signal (a SignalError names the bad field), then writes it into the source
 * database's WAL as a transactional logical message (prefix SIGNAL_MESSAGE_PREFIX,
 * content `{id, type, data}`), where the running task reads it in stream order — the
 * same path as a row inserted into the signal table, without needing one.
 */
export async function sendPostgresSignal(raw: Readonly<Record<string, string>>, signal: { readonly id: string; readonly type: string; readonly data: string }): Promise<void> {
  parseSignal(signal.id, signal.type, signal.data);
  const config = parsePostgresCdcConfig(raw);
  const db = new Client(clientOptions(config, 'millrace-cdc-signal'));
  db.on('error', () => undefined);
  try {
    await db.connect();
    await db.query('SELECT pg_logical_emit_message(true, $1, $2)', [SIGNAL_MESSAGE_PREFIX, JSON.stringify(signal)]);
  } finally {
    await db.end().catch(() => undefined);
  }
}
