import { chunkLockMs } from './shared-chunks';

describe('chunkLockMs (MILLRACE_SNAPSHOT_CHUNK_LOCK_MS)', () => {
  const saved = process.env.MILLRACE_SNAPSHOT_CHUNK_LOCK_MS;
  afterEach(() => {
    if (saved === undefined) delete process.env.MILLRACE_SNAPSHOT_CHUNK_LOCK_MS;
    else process.env.MILLRACE_SNAPSHOT_CHUNK_LOCK_MS = saved;
  });

  test('unset or empty: 30 s', () => {
    delete process.env.MILLRACE_SNAPSHOT_CHUNK_LOCK_MS;
    expect(chunkLockMs()).toBe(30_000);
    process.env.MILLRACE_SNAPSHOT_CHUNK_LOCK_MS = '';
    expect(chunkLockMs()).toBe(30_000);
  });

  test('a whole number of milliseconds from 1000 up is taken as it is', () => {
    process.env.MILLRACE_SNAPSHOT_CHUNK_LOCK_MS = '4000';
    expect(chunkLockMs()).toBe(4000);
  });

  test.each(['999', '2.5', 'ten', '-1'])('%s is refused with a message naming the setting', (raw) => {
    process.env.MILLRACE_SNAPSHOT_CHUNK_LOCK_MS = raw;
    expect(() => chunkLockMs()).toThrow(`MILLRACE_SNAPSHOT_CHUNK_LOCK_MS must be an integer number of milliseconds >= 1000, got "${raw}"`);
  });
});
