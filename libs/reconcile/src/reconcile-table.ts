import { InProcessChunkQueue, type ChunkQueue } from '@millrace/cdc-snapshot';
import { sharedCategory, type ValueCategory } from './canonical';
import { digestRows, type ChunkDigest } from './chunk-digest';
import type { ColumnInfo, KeyRange, KeyTuple, TableReader } from './table-reader';

/**
 * Compares one source table with the warehouse table its rows land in, chunk by chunk.
 *
 * Plan: the key is the source's primary key (every key column must exist in the target);
 * the compared columns are the source's columns that the target also has (a sink may add
 * columns, or leave some out). Chunk boundaries are every `chunkRows`-th source key, so
 * chunk i is the key range (b[i-1], b[i]] and the last one is open-ended (it also catches
 * target rows beyond the source's last key). Each chunk is a job on a ChunkQueue (the
 * CDC snapshots' machinery: in-process, or BullMQ on Redis when the caller gives one): both sides read the range, digest it (chunk-digest.ts) and a
 * chunk whose count or checksum differs is reported as drifted with its key range.
 */
export interface DriftedChunk {
  readonly chunk: number;
  /** Exclusive lower key bound (null: from the first key). */
  readonly from: KeyTuple | null;
  /** Inclusive upper key bound (null: to the last key). */
  readonly to: KeyTuple | null;
  readonly source_rows: number;
  readonly target_rows: number;
}

export interface TableReport {
  readonly topic: string;
  readonly source: string;
  readonly target: string;
  state: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  key_columns: string[];
  columns: string[];
  chunks: number;
  chunks_done: number;
  source_rows: number;
  target_rows: number;
  drifted: DriftedChunk[];
  error?: string;
}

export interface CompareOptions {
  readonly chunkRows: number;
  readonly concurrency: number;
  /** A fresh, empty queue for this table's chunk jobs (default: in-process). */
  readonly queue?: () => Promise<ChunkQueue<number>>;
}

interface Plan {
  key: string[];
  columns: { source: ColumnInfo; target: ColumnInfo; category: ValueCategory }[];
  ranges: KeyRange[];
}

async function plan(source: TableReader, target: TableReader, chunkRows: number): Promise<Plan> {
  const [sourceColumns, targetColumns, key] = await Promise.all([source.columns(), target.columns(), source.primaryKey()]);
  if (sourceColumns.length === 0) throw new Error(`source table ${source.description} does not exist`);
  if (targetColumns.length === 0) throw new Error(`target table ${target.description} does not exist (has the sink written to it yet?)`);
  if (key.length === 0) throw new Error(`source table ${source.description} has no primary key: it cannot be compared chunk by chunk`);
  const byName = new Map(targetColumns.map((c) => [c.name, c]));
  const missingKey = key.filter((k) => !byName.has(k));
  if (missingKey.length > 0) throw new Error(`target table ${target.description} lacks the key column(s) ${missingKey.join(', ')}`);
  const columns = sourceColumns
    .filter((c) => byName.has(c.name))
    .map((c) => {
      const t = byName.get(c.name) as ColumnInfo;
      return { source: c, target: t, category: sharedCategory(c.category, t.category) };
    });
  const bounds = await source.boundaries(key, chunkRows);
  const ranges: KeyRange[] = [];
  let lo: KeyTuple | null = null;
  for (const b of bounds) {
    ranges.push({ lo, hi: b });
    lo = b;
  }
  ranges.push({ lo, hi: null });
  return { key, columns, ranges };
}

async function digest(reader: TableReader, p: Plan, side: 'source' | 'target', range: KeyRange): Promise<ChunkDigest> {
  const rows = await reader.rows(p.key, p.columns.map((c) => c[side]), range);
  return digestRows(rows, p.columns.map((c) => c.category));
}

/**
 * Runs the comparison, updating `report` as chunks finish (callers show it while it runs).
 * Readers are opened by the caller: `readers()` gives one source and one target reader per
 * concurrent chunk job; all are closed before this returns.
 */
export async function compareTable(report: TableReport, readers: () => Promise<{ source: TableReader; target: TableReader }>, options: CompareOptions): Promise<void> {
  const pool: { source: TableReader; target: TableReader }[] = [];
  try {
    report.state = 'RUNNING';
    const first = await readers();
    pool.push(first);
    const p = await plan(first.source, first.target, options.chunkRows);
    report.key_columns = p.key;
    report.columns = p.columns.map((c) => c.source.name);
    report.chunks = p.ranges.length;
    for (let i = 1; i < Math.min(options.concurrency, p.ranges.length); i++) pool.push(await readers());
    const free = [...pool];
    const queue = options.queue ? await options.queue() : new InProcessChunkQueue<number>();
    try {
      queue.process(
        async (job) => {
          const pair = free.pop();
          if (!pair) throw new Error('no free connection pair (concurrency above the pool size)');
          try {
            const range = p.ranges[job.data];
            const [s, t] = await Promise.all([digest(pair.source, p, 'source', range), digest(pair.target, p, 'target', range)]);
            report.source_rows += s.rows;
            report.target_rows += t.rows;
            if (s.rows !== t.rows || s.checksum !== t.checksum) report.drifted.push({ chunk: job.data, from: range.lo, to: range.hi, source_rows: s.rows, target_rows: t.rows });
            report.chunks_done++;
          } finally {
            free.push(pair);
          }
        },
        { concurrency: pool.length, attempts: 2, backoffMs: 500 },
      );
      queue.add(p.ranges.map((_, i) => ({ id: `chunk-${i}`, data: i })));
      await queue.drained();
    } finally {
      await queue.close();
    }
    report.drifted.sort((a, b) => a.chunk - b.chunk);
    report.state = 'COMPLETED';
  } catch (err) {
    report.state = 'FAILED';
    report.error = err instanceof Error ? err.message : String(err);
  } finally {
    await Promise.all(pool.flatMap((p) => [p.source.close(), p.target.close()]));
  }
}
