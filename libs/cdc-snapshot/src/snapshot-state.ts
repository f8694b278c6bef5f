import { chunksFromBoundaries, type KeyTuple, type SnapshotChunk, type SnapshotPlan, type TablePlan } from './snapshot-plan';

/**
 * How far a chunked snapshot got, as a JSON value that lives inside the connector's
 * source offset. Because the runtime stores a source offset together with the records
 * it describes (exactly-once: in the same Kafka transaction), a chunk counts as done
 * exactly when its records are in Kafka, and a restarted task resumes with the chunks
 * that are not, each from the last key whose row is in Kafka.
 *
 * Offset form (`SnapshotStateJson`, version 1):
 *   { v: 1,
 *     tables: [{ t: "public.orders", n: 300000, b: [["1000"], ["2000"], ...] }],  // plan: boundaries per table
 *     done:   { "public.orders": [0, 1, 5] },                                    // finished chunk indexes
 *     at:     { "public.orders#2": ["2417"] },                                   // last key emitted of a started chunk
 *     rows:   { "public.orders": 5417 } }                                        // rows emitted per table
 * Contracts: `markRows` and `markDone` are applied in the order the records are handed
 * to the runtime; `toJson` returns a fresh object (safe to store while the state moves on).
 */
export interface SnapshotStateJson {
  readonly v: 1;
  readonly tables: readonly { readonly t: string; readonly n: number; readonly b: readonly KeyTuple[] }[];
  readonly done: Readonly<Record<string, readonly number[]>>;
  readonly at: Readonly<Record<string, KeyTuple>>;
  readonly rows: Readonly<Record<string, number>>;
}

/** A chunk still to read, and where to resume it (null = from its lower bound). */
export interface PendingChunk {
  readonly chunk: SnapshotChunk;
  readonly resumeAfter: KeyTuple | null;
}

export interface TableProgress {
  readonly table: string;
  readonly rowsDone: number;
  readonly estimatedRows: number;
  readonly chunksDone: number;
  readonly chunks: number;
  /** 'incremental': a table of an incremental snapshot (IncrementalSnapshotState.progress). */
  readonly kind?: 'initial' | 'incremental';
}

export class SnapshotStateError extends Error {
  override readonly name = 'SnapshotStateError';
}

export class SnapshotState {
  private readonly boundaries = new Map<string, readonly KeyTuple[]>();
  private readonly done = new Map<string, Set<number>>();
  private readonly at = new Map<string, KeyTuple>();
  private readonly rows = new Map<string, number>();

  private constructor(readonly plan: SnapshotPlan) {
    for (const t of plan.tables) {
      this.done.set(t.table, new Set());
      this.rows.set(t.table, 0);
    }
  }

  /** A fresh state for a plan made from boundary keys per table. */
  static fromBoundaries(tables: readonly { table: string; estimatedRows: number; boundaries: readonly KeyTuple[] }[]): SnapshotState {
    const plan: SnapshotPlan = { tables: tables.map((t): TablePlan => ({ table: t.table, estimatedRows: t.estimatedRows, chunks: chunksFromBoundaries(t.table, t.boundaries) })) };
    const state = new SnapshotState(plan);
    for (const t of tables) state.boundaries.set(t.table, t.boundaries);
    return state;
  }

  /** The state stored in an offset; throws SnapshotStateError when it is not one. */
  static fromJson(json: unknown): SnapshotState {
    const j = json as Partial<SnapshotStateJson> | null;
    if (typeof j !== 'object' || j === null || j.v !== 1 || !Array.isArray(j.tables)) throw new SnapshotStateError(`not a snapshot state: ${JSON.stringify(json)}`);
    const state = SnapshotState.fromBoundaries(j.tables.map((t) => ({ table: t.t, estimatedRows: t.n, boundaries: t.b })));
    for (const [table, indexes] of Object.entries(j.done ?? {})) for (const i of indexes) state.done.get(table)?.add(i);
    for (const [id, key] of Object.entries(j.at ?? {})) state.at.set(id, key);
    for (const [table, n] of Object.entries(j.rows ?? {})) if (state.rows.has(table)) state.rows.set(table, n);
    return state;
  }

  toJson(): SnapshotStateJson {
    return {
      v: 1,
      tables: this.plan.tables.map((t) => ({ t: t.table, n: t.estimatedRows, b: this.boundaries.get(t.table) ?? [] })),
      done: Object.fromEntries([...this.done].map(([table, set]) => [table, [...set].sort((a, b) => a - b)])),
      at: Object.fromEntries(this.at),
      rows: Object.fromEntries(this.rows),
    };
  }

  /** `count` rows of `chunk` were emitted, the last with key `lastKey` (null for keyless tables). */
  markRows(chunk: SnapshotChunk, count: number, lastKey: KeyTuple | null): void {
    this.rows.set(chunk.table, (this.rows.get(chunk.table) ?? 0) + count);
    if (lastKey !== null) this.at.set(chunk.id, lastKey);
  }

  markDone(chunk: SnapshotChunk): void {
    const set = this.done.get(chunk.table);
    if (!set) throw new SnapshotStateError(`chunk ${chunk.id} is not in the plan`);
    set.add(chunk.index);
    this.at.delete(chunk.id);
  }

  isDone(chunk: SnapshotChunk): boolean {
    return this.done.get(chunk.table)?.has(chunk.index) ?? false;
  }

  /** Chunks not finished, in plan order, with their resume keys. */
  pending(): PendingChunk[] {
    const out: PendingChunk[] = [];
    for (const t of this.plan.tables) for (const chunk of t.chunks) if (!this.isDone(chunk)) out.push({ chunk, resumeAfter: this.at.get(chunk.id) ?? null });
    return out;
  }

  get complete(): boolean {
    return this.plan.tables.every((t) => t.chunks.every((c) => this.isDone(c)));
  }

  get chunkCount(): number {
    return this.plan.tables.reduce((n, t) => n + t.chunks.length, 0);
  }

  get chunksDone(): number {
    return [...this.done.values()].reduce((n, s) => n + s.size, 0);
  }

  progress(): TableProgress[] {
    return this.plan.tables.map((t) => ({
      table: t.table,
      rowsDone: this.rows.get(t.table) ?? 0,
      estimatedRows: t.estimatedRows,
      chunksDone: this.done.get(t.table)?.size ?? 0,
      chunks: t.chunks.length,
    }));
  }
}
