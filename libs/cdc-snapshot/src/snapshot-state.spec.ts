import { SnapshotState, SnapshotStateError } from './snapshot-state';

describe('SnapshotState', () => {
  const fresh = () =>
    SnapshotState.fromBoundaries([
      { table: 'public.a', estimatedRows: 30, boundaries: [['10'], ['20']] },
      { table: 'public.b', estimatedRows: 0, boundaries: [] },
    ]);

  it('plans chunks from boundaries: first and last unbounded, lo exclusive, hi inclusive', () => {
    const chunks = fresh().pending().map((p) => p.chunk);
    expect(chunks.map((c) => [c.id, c.lo, c.hi])).toEqual([
      ['public.a#0', null, ['10']],
      ['public.a#1', ['10'], ['20']],
      ['public.a#2', ['20'], null],
      ['public.b#0', null, null],
    ]);
  });

  it('round-trips through its offset JSON, keeping done chunks and resume keys', () => {
    const state = fresh();
    const [c0, c1] = state.pending().map((p) => p.chunk);
    state.markRows(c0, 10, ['10']);
    state.markDone(c0);
    state.markRows(c1, 4, ['14']);
    const json = JSON.parse(JSON.stringify(state.toJson()));
    const restored = SnapshotState.fromJson(json);
    expect(restored.pending().map((p) => [p.chunk.id, p.resumeAfter])).toEqual([
      ['public.a#1', ['14']],
      ['public.a#2', null],
      ['public.b#0', null],
    ]);
    expect(restored.progress()).toEqual([
      { table: 'public.a', rowsDone: 14, estimatedRows: 30, chunksDone: 1, chunks: 3 },
      { table: 'public.b', rowsDone: 0, estimatedRows: 0, chunksDone: 0, chunks: 1 },
    ]);
    expect(restored.complete).toBe(false);
  });

  it('is complete once every chunk is done; a stored JSON that is not a state is refused', () => {
    const state = fresh();
    for (const p of state.pending()) state.markDone(p.chunk);
    expect(state.complete).toBe(true);
    expect(state.chunksDone).toBe(state.chunkCount);
    expect(() => SnapshotState.fromJson({ v: 2 })).toThrow(SnapshotStateError);
  });

  it('toJson is a copy: later marks do not change an offset already handed out', () => {
    const state = fresh();
    const before = state.toJson();
    state.markRows(state.pending()[0].chunk, 3, ['3']);
    expect(before.rows['public.a']).toBe(0);
    expect(before.at).toEqual({});
  });
});
