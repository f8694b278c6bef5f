import type { PoolClient } from 'pg';

/**
 * Upsert by plain COPY when nothing conflicts: a batch of distinct keys none of which is
 * in the table yet (an initial load, an append-only stream) is written by `COPY` straight
 * into the target inside a savepoint, instead of COPY into a staging table plus
 * `INSERT ... SELECT ... ON CONFLICT`: half the server's work, and two round trips fewer.
 *
 * Contracts:
 * - Same result as the upsert: with no key in the table, the upsert inserts every row,
 *   as the COPY does (same columns, same text parsed by the same column types, omitted
 *   columns get their defaults either way). A key already there makes the COPY fail with
 *   unique_violation (23505): rolled back to the savepoint, `attempt` answers false and
 *   the caller upserts as usual, in the same transaction.
 * - Only for plain tables where COPY and INSERT behave alike, checked in the caller's
 *   transaction before each attempt: an ordinary table (relkind 'r') without triggers
 *   (RI triggers of foreign keys included), rules, row-level security or GENERATED
 *   ALWAYS identity columns (COPY writes those where INSERT refuses), with a unique index
 *   on exactly the key columns (so a key already there is a unique_violation).
 * - After a conflict the target is not tried for the next 1, 2, 4 ... 64 batches (reset
 *   by a success), so an update-heavy stream wastes at most a partial COPY now and then.
 * - Only for runs of at least MIN_ROWS rows: each attempt is a subtransaction, and a
 *   transaction with more than 64 of them (a CDC stream's many short runs of upserts
 *   between deletes) slows every concurrent snapshot on the server (subxid overflow);
 *   small runs gain little anyway.
 * - Any other failure is thrown as it is (the transaction is then aborted, as it would be
 *   by the staged upsert failing).
 */
export class CopyFirst {
  private readonly backoff = new Map<string, { skip: number; next: number }>();

  /** True when `copy` wrote the rows into `target`; false when the caller must upsert them. */
  async attempt(client: PoolClient, target: string, keyColumns: readonly string[], rows: number, copy: () => Promise<void>): Promise<boolean> {
    if (rows < MIN_ROWS) return false;
    const state = this.backoff.get(target);
    if (state && state.skip > 0) {
      state.skip--;
      return false;
    }
    if (!(await isPlainTable(client, target, keyColumns))) return false;
    await client.query('SAVEPOINT millrace_copy_first');
    try {
      await copy();
    } catch (err) {
      if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
      await client.query('ROLLBACK TO SAVEPOINT millrace_copy_first');
      const next = Math.min((state?.next ?? 1) * 2, MAX_SKIP);
      this.backoff.set(target, { skip: state?.next ?? 1, next });
      return false;
    }
    await client.query('RELEASE SAVEPOINT millrace_copy_first');
    this.backoff.delete(target);
    return true;
  }
}

const UNIQUE_VIOLATION = '23505';
const MAX_SKIP = 64;
/** The fewest rows a run needs to be tried (see the contract). */
export const MIN_ROWS = 2000;

/**
 * `target` (a quoted, possibly qualified name) is an ordinary table where COPY inserts as
 * INSERT does (see CopyFirst), with a unique index on exactly `keyColumns` (what the
 * upsert's ON CONFLICT infers: without one the upsert fails, where a COPY would insert
 * duplicate keys), checked immediately (ON CONFLICT refuses a DEFERRABLE one, and a
 * deferred check would fail the COPY's conflict only at commit).
 */
async function isPlainTable(client: PoolClient, target: string, keyColumns: readonly string[]): Promise<boolean> {
  const r = await client.query<{ plain: boolean }>(
    `SELECT c.relkind = 'r' AND NOT c.relhastriggers AND NOT c.relhasrules AND NOT c.relrowsecurity
            AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attidentity = 'a' AND NOT a.attisdropped)
            AND EXISTS (SELECT 1 FROM pg_index i
                         WHERE i.indrelid = c.oid AND i.indisunique AND i.indimmediate AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
                           AND i.indnkeyatts = cardinality($2::text[])
                           AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_attribute a
                                 WHERE a.attrelid = c.oid AND a.attnum = ANY (i.indkey[0:i.indnkeyatts - 1]))
                               = (SELECT array_agg(k ORDER BY k) FROM unnest($2::text[]) k)) AS plain
       FROM pg_class c WHERE c.oid = $1::regclass`,
    [target, keyColumns],
  );
  return r.rows[0]?.plain === true;
}
