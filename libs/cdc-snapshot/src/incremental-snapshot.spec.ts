import { IncrementalSnapshotState, SnapshotWindow } from './incremental-snapshot';
import { matchCollections, parseSignal } from './snapshot-signal';

const same = (a: readonly (string | null)[], b: readonly (string | null)[]): number => (JSON.stringify(a) === JSON.stringify(b) ? 0 : -1);

describe('parseSignal', () => {
  test("Debezium's execute-snapshot with additional conditions", () => {
    const s = parseSignal('s1', 'execute-snapshot', '{"data-collections": ["public.a", "public\\\\.b.*"], "type": "INCREMENTAL", "additional-conditions": [{"data-collection": "public.a", "filter": "id > 10"}]}');
    expect(s).toEqual({ kind: 'execute-snapshot', id: 's1', dataCollections: ['public.a', 'public\\.b.*'], additionalConditions: new Map([['public.a', 'id > 10']]) });
  });

  test('stop-snapshot without tables stops all; other types are passed through', () => {
    expect(parseSignal('s2', 'stop-snapshot', null)).toEqual({ kind: 'stop-snapshot', id: 's2', dataCollections: null });
    expect(parseSignal('s3', 'log', '{"message": "x"}')).toEqual({ kind: 'other', id: 's3', type: 'log' });
  });

  test('bad signals name the field', () => {
    expect(() => parseSignal('x', 'execute-snapshot', 'nope')).toThrow('data is not JSON');
    expect(() => parseSignal('x', 'execute-snapshot', '{}')).toThrow('data-collections must name at least one table');
    expect(() => parseSignal('x', 'execute-snapshot', '{"data-collections": [1]}')).toThrow('data-collections must be a list');
    expect(() => parseSignal('x', 'execute-snapshot', '{"data-collections": ["a.b"], "type": "blocking"}')).toThrow('type "blocking" is not supported');
    expect(() => parseSignal('x', 'execute-snapshot', '{"data-collections": ["a.b"], "additional-conditions": [{"data-collection": "a.b"}]}')).toThrow('additional-conditions[0].filter');
    expect(() => parseSignal('x', 'execute-snapshot', '{"data-collections": ["a.b"], "additional-conditions": [{"data-collection": "a.b", "filter": "1=1; drop table a"}]}')).toThrow(';');
    expect(() => parseSignal('x', 'execute-snapshot', '{"data-collections": ["a.(b"]}')).toThrow('not a valid regular expression');
  });

  test('matchCollections: exact names and whole-name regular expressions, in signal order, once each', () => {
    expect(matchCollections(['public.b', 'public\\..*'], ['public.a', 'public.b', 'other.c'])).toEqual(['public.b', 'public.a']);
    expect(matchCollections(['public.zz'], ['public.a'])).toEqual([]);
  });
});

describe('IncrementalSnapshotState', () => {
  test('walks the tables chunk by chunk and survives a round trip through the offset', () => {
    const state = new IncrementalSnapshotState();
    state.add(['public.a', 'public.b'], new Map([['public.b', 'x > 1']]));
    state.setMaxKey(['100']);
    expect(state.chunkEmitted(['10'], 10, 9, 10, same)).toEqual({ tableDone: null });
    const resumed = IncrementalSnapshotState.fromJson(JSON.parse(JSON.stringify(state.toJson())));
    expect(resumed.current).toEqual({ table: 'public.a', filter: null, lastKey: ['10'], maxKey: ['100'], rows: 9 });
    expect(resumed.chunkEmitted(['100'], 10, 10, 10, same)).toEqual({ tableDone: 'public.a' });
    expect(resumed.current).toEqual({ table: 'public.b', filter: 'x > 1', lastKey: null, maxKey: null, rows: 0 });
    resumed.setMaxKey(null);
    expect(resumed.active).toBe(false);
  });

  test('progress: rows done / total per table, through the offset, as a status line', () => {
    const state = new IncrementalSnapshotState();
    state.add(['public.a', 'public.b'], new Map());
    state.setMaxKey(['100'], 40);
    state.chunkEmitted(['10'], 10, 10, 10, same);
    expect(state.describe()).toBe('incremental snapshot: public.a 10/40 rows (25%); queued: public.b');
    const resumed = IncrementalSnapshotState.fromJson(JSON.parse(JSON.stringify(state.toJson())));
    resumed.chunkEmitted(['20'], 5, 5, 10, same);
    expect(resumed.progress()).toEqual([
      { table: 'public.a', rowsDone: 15, estimatedRows: 15, chunksDone: 0, chunks: 0, kind: 'incremental' },
      { table: 'public.b', rowsDone: 0, estimatedRows: 0, chunksDone: 0, chunks: 0, kind: 'incremental' },
    ]);
    resumed.setMaxKey(null);
    expect(resumed.describe()).toBe('incremental snapshot completed');
    // a new run starts with no finished tables
    resumed.add(['public.c'], new Map());
    expect(resumed.progress().map((t) => t.table)).toEqual(['public.c']);
  });

  test('a short chunk ends the table; stop drops tables; a bad stored state is refused', () => {
    const state = new IncrementalSnapshotState();
    state.add(['t1', 't2'], new Map());
    state.setMaxKey(['5']);
    expect(state.chunkEmitted(['3'], 3, 3, 10, same)).toEqual({ tableDone: 't1' });
    state.add(['t3'], new Map());
    expect(state.stop(['t3'])).toBe(false);
    expect(state.stop(null)).toBe(true);
    expect(state.active).toBe(false);
    expect(() => IncrementalSnapshotState.fromJson({ tables: 'x' })).toThrow('not valid');
  });
});

describe('SnapshotWindow', () => {
  const rows = (...ids: string[]) => ids.map((id) => ({ key: [id], row: { id } }));

  test('drops chunk rows whose keys the stream changed inside the window, before or after the read', () => {
    const w = new SnapshotWindow<{ id: string }>('w1', 'public.a');
    w.streamed('public.a', ['1']); // before the low watermark: older than the read, kept
    w.open();
    w.streamed('public.a', ['2']); // inside, before the chunk was loaded
    w.streamed('public.b', ['3']); // another table
    w.load(rows('1', '2', '3', '4'));
    w.streamed('public.a', ['4']); // inside, after the load
    expect(w.close()).toEqual({ rows: [{ id: '1' }, { id: '3' }], read: 4, lastKey: ['4'], dropped: 2 });
  });

  test('a truncate inside the window empties it', () => {
    const w = new SnapshotWindow<{ id: string }>('w2', 'public.a');
    w.open();
    w.truncated('public.a');
    w.load(rows('1', '2'));
    expect(w.close().rows).toEqual([]);
  });
});
