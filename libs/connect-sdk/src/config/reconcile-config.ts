import { atLeast, range } from './common-validators';
import type { ConfigDef } from './config-def';
import { parseConfig } from './config-parser';

/**
 * The reconciliation keys of a table sink (a plugin with a `reconcileTarget` facet), in
 * the "Reconciliation" group:
 *   reconcile.interval.ms  LONG  0 (off): compare source and target every this often
 *   reconcile.chunk.rows   INT   10000: source keys per compared chunk
 *   reconcile.max.threads  INT   2: chunks compared at once (each holds two connections)
 *   reconcile.repair       BOOLEAN false: re-read drifted chunks from the source through an
 *                          incremental snapshot (a source connector that takes signals)
 */
export const RECONCILE_GROUP = 'Reconciliation';

export const RECONCILE_CONFIG_DEF: ConfigDef = {
  groups: [RECONCILE_GROUP],
  keys: [
    { name: 'reconcile.interval.ms', type: 'LONG', default: 0, importance: 'LOW', group: RECONCILE_GROUP, orderInGroup: 1, validator: atLeast(0), documentation: 'Compare the source tables with the tables this sink writes every this many milliseconds (0: only on POST /connectors/{name}/reconcile).' },
    { name: 'reconcile.chunk.rows', type: 'INT', default: 10000, importance: 'LOW', group: RECONCILE_GROUP, orderInGroup: 2, validator: range(1, 10_000_000), documentation: 'Source primary keys per compared chunk; a drifted chunk is reported with its key range.' },
    { name: 'reconcile.max.threads', type: 'INT', default: 2, importance: 'LOW', group: RECONCILE_GROUP, orderInGroup: 3, validator: range(1, 32), documentation: 'Chunks compared at once (each uses one connection to the source and one to the target).' },
    { name: 'reconcile.repair', type: 'BOOLEAN', default: false, importance: 'LOW', group: RECONCILE_GROUP, orderInGroup: 4, documentation: 'Re-read the drifted chunks from the source through an incremental snapshot (CDC sources), so the pipeline writes them again.' },
  ],
};

export interface ReconcileConfig {
  readonly intervalMs: number;
  readonly chunkRows: number;
  readonly maxThreads: number;
  readonly repair: boolean;
}

/** The reconciliation settings of a (validated) sink config; defaults where unset. */
export function readReconcileConfig(raw: Readonly<Record<string, string>>): ReconcileConfig {
  const { parsed } = parseConfig(RECONCILE_CONFIG_DEF, raw);
  return { intervalMs: Number(parsed['reconcile.interval.ms'] ?? 0), chunkRows: Number(parsed['reconcile.chunk.rows'] ?? 10000), maxThreads: Number(parsed['reconcile.max.threads'] ?? 2), repair: parsed['reconcile.repair'] === true };
}
