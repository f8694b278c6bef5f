import { InProcessChunkQueue } from './in-process-chunk-queue';

describe('InProcessChunkQueue', () => {
  it('runs jobs with the given concurrency and resolves drained() when all succeeded', async () => {
    const queue = new InProcessChunkQueue<number>();
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    queue.process(async (job) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      done.push(job.data);
      active--;
    }, { concurrency: 3 });
    queue.add(Array.from({ length: 10 }, (_, i) => ({ id: `j${i}`, data: i })));
    await queue.drained();
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
    expect(queue.stats()).toMatchObject({ waiting: 0, active: 0, completed: 10, failed: 0 });
    await queue.close();
  });

  it('retries a failing attempt, and fails drained() after the last attempt', async () => {
    const queue = new InProcessChunkQueue<string>();
    const attempts: string[] = [];
    queue.process(async (job, ctx) => {
      attempts.push(`${job.id}:${ctx.attempt}`);
      if (job.id === 'flaky' && ctx.attempt < 2) throw new Error('transient');
      if (job.id === 'broken') throw new Error('permanent');
    }, { attempts: 2, backoffMs: 1 });
    queue.add([{ id: 'flaky', data: 'x' }]);
    await queue.drained();
    expect(attempts).toEqual(['flaky:1', 'flaky:2']);
    queue.add([{ id: 'broken', data: 'y' }]);
    await expect(queue.drained()).rejects.toThrow('permanent');
    expect(queue.stats().failed).toBe(1);
    await queue.close();
  });

  it('close() aborts: a running processor sees the signal and close waits for it', async () => {
    const queue = new InProcessChunkQueue<null>();
    let sawAbort = false;
    queue.process(async (_job, ctx) => {
      while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 2));
      sawAbort = true;
    });
    queue.add([{ id: 'long', data: null }, { id: 'never', data: null }]);
    await new Promise((r) => setTimeout(r, 10));
    await queue.close();
    expect(sawAbort).toBe(true);
    expect(queue.stats().completed).toBe(0);
  });
});
