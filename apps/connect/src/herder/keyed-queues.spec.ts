import { KeyedQueues } from './keyed-queues';

describe('KeyedQueues', () => {
  test('jobs of one key run in order, one at a time; other keys do not wait for them', async () => {
    const q = new KeyedQueues();
    const events: string[] = [];
    let release: () => void = () => undefined;
    const blocked = q.run('slow', () => new Promise<void>((resolve) => (release = resolve)).then(() => void events.push('slow-1')));
    const second = q.run('slow', async () => void events.push('slow-2'));
    await q.run('fast', async () => void events.push('fast'));
    expect(events).toEqual(['fast']);
    release();
    await Promise.all([blocked, second]);
    expect(events).toEqual(['fast', 'slow-1', 'slow-2']);
  });

  test('a failed job rejects its caller and the queue goes on; idle waits for all', async () => {
    const q = new KeyedQueues();
    await expect(q.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let ran = false;
    void q.run('k', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      ran = true;
    });
    await q.idle();
    expect(ran).toBe(true);
  });
});
