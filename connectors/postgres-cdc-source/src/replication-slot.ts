import { Client } from 'pg';
import { clientOptions, type PostgresCdcConfig } from './postgres-cdc-config';
import { quoteIdent } from './table-catalog';

/**
 * Creating the logical replication slot (pgoutput) on a replication connection.
 *
 * With `exportSnapshot` the slot is created with EXPORT_SNAPSHOT: the returned
 * `snapshotName` can be imported by other sessions (`SET TRANSACTION SNAPSHOT`) and shows
 * the database exactly at `consistentPoint`, the LSN from which the slot streams. The
 * snapshot lives only while this connection stays open and runs no further command:
 * call `release()` once every snapshot connection has imported it.
 */
export interface CreatedSlot {
  readonly consistentPoint: string;
  readonly snapshotName: string | null;
  release(): Promise<void>;
}

export async function createSlot(config: PostgresCdcConfig, exportSnapshot: boolean): Promise<CreatedSlot> {
  const client = new Client({ ...clientOptions(config, 'millrace-cdc-slot'), replication: 'database' } as ConstructorParameters<typeof Client>[0]);
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ consistent_point: string; snapshot_name: string | null }>(
      `CREATE_REPLICATION_SLOT ${quoteIdent(config.slotName)} LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`,
    );
    const row = rows[0];
    if (!exportSnapshot) await client.end();
    return { consistentPoint: row.consistent_point, snapshotName: exportSnapshot ? row.snapshot_name : null, release: () => client.end().catch(() => undefined) };
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}
