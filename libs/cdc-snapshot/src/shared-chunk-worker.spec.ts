import type { SourceRecord } from '@millrace/connect-sdk';
import { InProcessChunkQueue } from './in-process-chunk-queue';
import { SharedChunkWorker } from './shared-chunk-worker';
import type { SharedChunkJob, SharedSnapshotInfo } from './shared-chunks';
import { sharedChunksDone, storedChunksDone } from './shared-chunks';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const info = (run: string): SharedSnapshotInfo => ({ run, context: { lsn: run }, totals: { t: { rows: 6, chunks: 2 } } });
const job = (index: number, run: string): { id: string; data: SharedChunkJob } => ({
  id: `t#${index}`,
  data: { chunk: { id: `t#${index}`, table: 't', index, lo: null, hi: null }, resumeAfter: null, shared: info(run) },
});

function worker(queue: InProcessChunkQueue<SharedChunkJob>, stored: { run: string | null; done: string[] }, rowsOf: (index: number) => number[]): SharedChunkWorker<number> {
  return new SharedChunkWorker<number>({
    queue,
    threads: 1,
    maxBufferedRows: 100,
    stored,
    readChunk: async (j, _after, onPage) => {
      const rows = rowsOf(j.chunk.index);
      if (rows.length > 0) await onPage({ rows, lastKey: [String(rows[rows.length - 1])] });
    },
    toRecords: (_j, rows, offset) => rows.map((r) => ({ value: r, sourceOffset: offset }) as unknown as SourceRecord),
    offset: (i) => ({ lsn: i.context['lsn'] }),
    logger,
  });
}

async function drain(w: SharedChunkWorker<number>, until: () => boolean): Promise<SourceRecord[][]> {
  const batches: SourceRecord[][] = [];
  for (let i = 0; i < 50 && !until(); i++) {
    await w.waitForData(20);
    const b = w.take(10);
    if (b.length > 0) batches.push(b);
  }
  return batches;
}

describe('SharedChunkWorker', () => {
  it('a chunk job succeeds only once its records are acknowledged; offsets list the finished chunks of the run', async () => {
    const queue = new InProcessChunkQueue<SharedChunkJob>();
    const w = worker(queue, { run: 'old', done: ['t#9'] }, (i) => (i === 0 ? [1, 2, 3] : [4, 5, 6]));
    w.start();
    let drained = false;
    queue.add([job(0, 'r1')]);
    void queue.drained().then(() => (drained = true));
    const [batch] = await drain(w, () => false);
    expect(batch.map((r) => r.value)).toEqual([1, 2, 3]);
    // the run changed: the old run's chunks are forgotten
    expect(batch[2].sourceOffset).toEqual({ lsn: 'r1', run: 'r1', chunks_done: ['t#0'] });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(drained).toBe(false);
    w.ack(batch);
    await queue.drained();
    queue.add([job(1, 'r1')]);
    const [second] = await drain(w, () => false);
    expect(second[0].sourceOffset['chunks_done']).toEqual(['t#0', 't#1']);
    expect(w.progress()).toEqual([{ table: 't', rowsDone: 6, estimatedRows: 6, chunksDone: 2, chunks: 2 }]);
    w.ack(second);
    await queue.drained();
    await w.stop();
  });

  it("a running chunk's progress is its rows acknowledged (what a redo elsewhere would repeat)", async () => {
    const queue = new InProcessChunkQueue<SharedChunkJob>();
    const w = new SharedChunkWorker<number>({
      queue,
      threads: 1,
      maxBufferedRows: 100,
      stored: { run: null, done: [] },
      readChunk: async (_j, _after, onPage) => {
        await onPage({ rows: [1, 2, 3], lastKey: ['3'] });
        await onPage({ rows: [4, 5], lastKey: ['5'] });
      },
      toRecords: (_j, rows, offset) => rows.map((r) => ({ value: r, sourceOffset: offset }) as unknown as SourceRecord),
      offset: (i) => ({ lsn: i.context['lsn'] }),
      logger,
    });
    w.start();
    queue.add([job(0, 'r')]);
    let first: SourceRecord[] = [];
    for (let i = 0; i < 50 && first.length === 0; i++) {
      await w.waitForData(20);
      first = w.take(3);
    }
    expect(first.map((r) => r.value)).toEqual([1, 2, 3]);
    // read and handed out, not yet in Kafka: nothing a redo would repeat
    expect(queue.stats()).toMatchObject({ active: 1, activeProgress: 0 });
    w.ack(first);
    expect(queue.stats()).toMatchObject({ active: 1, activeProgress: 3 });
    const [second] = await drain(w, () => false);
    expect(second.map((r) => r.value)).toEqual([4, 5]);
    w.ack(second);
    await queue.drained();
    expect(queue.stats()).toMatchObject({ active: 0, completed: 1 });
    await w.stop();
  });

  it('an empty chunk is durable with the batch before it', async () => {
    const queue = new InProcessChunkQueue<SharedChunkJob>();
    const w = worker(queue, { run: null, done: [] }, (i) => (i === 0 ? [1] : []));
    w.start();
    queue.add([job(0, 'r'), job(1, 'r')]);
    const batches = await drain(w, () => false);
    expect(batches).toHaveLength(1);
    expect(batches[0][0].sourceOffset['chunks_done']).toEqual(['t#0']);
    w.ack(batches[0]);
    // t#1 (no rows) runs next: its marker, taken with no records, is durable at once
    let drained = false;
    void queue.drained().then(() => (drained = true));
    await drain(w, () => drained);
    expect(drained).toBe(true);
    await w.stop();
  });

  it('task 0 counts the helpers\' chunks of its own run only', () => {
    expect([...sharedChunksDone([{ run: 'a', chunks_done: ['t#1'] }, { run: 'b', chunks_done: ['t#2'] }, null], 'a')]).toEqual(['t#1']);
    expect(storedChunksDone({ run: 'a', chunks_done: ['t#1', 3] })).toEqual({ run: 'a', done: ['t#1'] });
    expect(storedChunksDone(null)).toEqual({ run: null, done: [] });
  });
});
