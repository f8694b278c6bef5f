import { assignWork, decodeAssignment, encodeJson, type TaskId, type WorkerMetadata } from './connect-assignor';

const leader = { memberId: 'a', url: 'http://a', configOffset: 7 };
const meta = (connectors: string[] = [], tasks: TaskId[] = []): WorkerMetadata => ({ url: 'http://x', configOffset: 7, connectors, tasks });
const t = (connector: string, task: number): TaskId => ({ connector, task });
const work = { connectors: ['c1', 'c2', 'c3', 'c4'], tasks: [t('c1', 0), t('c2', 0), t('c3', 0), t('c3', 1), t('c4', 0), t('c4', 1)] };

describe('assignWork', () => {
  test('a fresh cluster gets every connector and task, balanced, with the leader URL', () => {
    const out = assignWork([{ memberId: 'a', metadata: meta() }, { memberId: 'b', metadata: meta() }, { memberId: 'c', metadata: meta() }], work, leader);
    expect([...out.values()].map((a) => a.tasks.length)).toEqual([2, 2, 2]);
    expect([...out.values()].map((a) => a.connectors.length).sort()).toEqual([1, 1, 2]);
    expect(new Set([...out.values()].flatMap((a) => a.tasks.map((x) => `${x.connector}/${x.task}`))).size).toBe(6);
    expect([...out.values()].every((a) => a.leaderUrl === 'http://a' && a.configOffset === 7 && !a.rejoin)).toBe(true);
  });

  test('work moves from a live member in two rounds: revoked first (with rejoin), given next', () => {
    const round1 = assignWork([{ memberId: 'a', metadata: meta(work.connectors, work.tasks) }, { memberId: 'b', metadata: meta() }], work, leader);
    const a1 = round1.get('a');
    const b1 = round1.get('b');
    expect(a1?.tasks).toHaveLength(3);
    expect(a1?.rejoin).toBe(true);
    expect(b1?.tasks).toHaveLength(0);
    const round2 = assignWork([{ memberId: 'a', metadata: meta(a1?.connectors.slice(), a1?.tasks.slice()) }, { memberId: 'b', metadata: meta() }], work, leader);
    expect(round2.get('a')?.tasks).toEqual(a1?.tasks);
    expect(round2.get('b')?.tasks).toHaveLength(3);
    expect(round2.get('b')?.connectors).toHaveLength(2);
    expect(round2.get('a')?.rejoin).toBe(false);
  });

  test('work of a member that left is given out at once; kept work stays where it ran', () => {
    const out = assignWork([{ memberId: 'a', metadata: meta(['c1'], [t('c1', 0), t('c3', 1)]) }, { memberId: 'b', metadata: meta(['c2'], [t('c2', 0), t('c4', 0)]) }], work, leader);
    expect(out.get('a')?.tasks).toEqual(expect.arrayContaining([t('c1', 0), t('c3', 1)]));
    expect(out.get('b')?.tasks).toEqual(expect.arrayContaining([t('c2', 0), t('c4', 0)]));
    expect([...out.values()].flatMap((a) => a.tasks)).toHaveLength(6);
    expect([...out.values()].some((a) => a.rejoin)).toBe(false);
  });

  test('a task two members claim goes to neither until both stopped it; deleted work to nobody', () => {
    const out = assignWork([{ memberId: 'a', metadata: meta([], [t('c1', 0), t('gone', 0)]) }, { memberId: 'b', metadata: meta([], [t('c1', 0)]) }], { connectors: ['c1'], tasks: [t('c1', 0)] }, leader);
    expect(out.get('a')?.tasks).toEqual([]);
    expect(out.get('b')?.tasks).toEqual([]);
    expect(out.get('a')?.rejoin).toBe(true);
    expect(out.get('b')?.rejoin).toBe(true);
  });

  test('assignments round-trip through their JSON bytes', () => {
    const a = assignWork([{ memberId: 'a', metadata: meta() }], work, leader).get('a');
    expect(decodeAssignment(encodeJson(a as NonNullable<typeof a>))).toEqual(a);
    expect(() => decodeAssignment(Buffer.from('{}'))).toThrow('malformed connect assignment');
  });
});
