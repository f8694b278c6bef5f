import { FencedCommitter, StaleGenerationError } from './fenced-committer';
import type { SourceRecordCommitter } from './source-record-committer';

describe('FencedCommitter', () => {
  test('commits while the worker owns the task, refuses (writing nothing) once it does not', async () => {
    const commits: number[] = [];
    const inner: SourceRecordCommitter = {
      open: async () => undefined,
      commit: async (records) => void commits.push(records.length),
      close: async () => undefined,
    };
    let owned = true;
    const committer = new FencedCommitter(inner, () => owned, 'src', 2);
    await committer.commit([{ topic: 't', key: null, value: Buffer.from('a') }], [{ partition: { p: 1 }, offset: { o: 1 } }]);
    owned = false;
    await expect(committer.commit([{ topic: 't', key: null, value: Buffer.from('b') }], [{ partition: { p: 1 }, offset: { o: 2 } }])).rejects.toThrow(StaleGenerationError);
    await expect(committer.commit([], [])).rejects.toThrow('task src-2 no longer belongs to this worker');
    expect(commits).toEqual([1]);
  });
});
