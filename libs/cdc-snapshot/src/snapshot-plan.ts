/**
 * The plan of a chunked initial snapshot, shared by the CDC source connectors (Postgres
 * now, MySQL next).
 *
 * A table is split by primary-key range into chunks. Keys are tuples of the key
 * columns' TEXT forms (as the database prints them), compared by the database itself
 * (`(k1, k2) > ($1, $2)`), so the plan never needs to know how a type sorts.
 *
 * Chunk `i` of a table with boundary keys b1 < b2 < ... < bm covers
 *   chunk 0: key <= b1; chunk i: b(i) < key <= b(i+1); chunk m: key > bm
 * (`lo` exclusive, `hi` inclusive, null = unbounded). A table without a key is one
 * chunk with both bounds null that cannot resume inside itself.
 *
 * Chunk ids are `<table>#<index>`: stable strings, stored in source offsets.
 */
export type KeyTuple = readonly string[];

export interface SnapshotChunk {
  readonly id: string;
  /** Qualified table name as the connector spells it ("public.orders"). */
  readonly table: string;
  readonly index: number;
  /** Exclusive lower bound; null = from the first key. */
  readonly lo: KeyTuple | null;
  /** Inclusive upper bound; null = to the last key. */
  readonly hi: KeyTuple | null;
}

export interface TablePlan {
  readonly table: string;
  /** Rows the table held when the plan was made (exact count or the catalog's estimate). */
  readonly estimatedRows: number;
  readonly chunks: readonly SnapshotChunk[];
}

export interface SnapshotPlan {
  readonly tables: readonly TablePlan[];
}

/** The chunks of `table` given its sorted boundary keys (see the file comment). */
export function chunksFromBoundaries(table: string, boundaries: readonly KeyTuple[]): SnapshotChunk[] {
  const chunks: SnapshotChunk[] = [];
  for (let i = 0; i <= boundaries.length; i++) {
    chunks.push({ id: chunkId(table, i), table, index: i, lo: i === 0 ? null : boundaries[i - 1], hi: i === boundaries.length ? null : boundaries[i] });
  }
  return chunks;
}

export function chunkId(table: string, index: number): string {
  return `${table}#${index}`;
}

/** Every chunk of the plan, table by table, in key order. */
export function allChunks(plan: SnapshotPlan): SnapshotChunk[] {
  return plan.tables.flatMap((t) => [...t.chunks]);
}
