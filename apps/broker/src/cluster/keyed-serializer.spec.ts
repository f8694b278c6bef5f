import { KeyedSerializer } from './keyed-serializer';

describe('KeyedSerializer', () => {
  it('runs the operations of one key in call order, never overlapping, and those of other keys freely', async () => {
    const s = new KeyedSerializer();
    const log: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const first = s.run('a', async () => {
      log.push('a1 start');
      await new Promise<void>((r) => (releaseFirst = r));
      log.push('a1 end');
    });
    const second = s.run('a', () => {
      log.push('a2');
      return Promise.resolve();
    });
    const other = s.run('b', () => {
      log.push('b1');
      return Promise.resolve();
    });
    await other;
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a1 start', 'b1']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    await new Promise((r) => setImmediate(r));
    expect(s.busy).toBe(0);
  });

  it('a failing operation rejects its caller only; the next one runs', async () => {
    const s = new KeyedSerializer();
    const failed = s.run('a', () => Promise.reject(new Error('boom')));
    const next = s.run('a', () => Promise.resolve(7));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe(7);
  });
});
