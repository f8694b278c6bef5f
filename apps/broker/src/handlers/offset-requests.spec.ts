import { ErrorCode as E } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import { FakeGroupLog } from '../group-coordinator/testing';
import { answerOffsetDelete, answerOffsetFetch } from './offset-requests';

/** Hosts partitions 0-1 of topic 't' only. */
const isHosted = (topic: string, p: number) => topic === 't' && p < 2;

describe('OffsetFetch and OffsetDelete requests', () => {
  let gc: GroupCoordinator;

  beforeEach(async () => {
    gc = new GroupCoordinator({ offsetsTopicNumPartitions: 3 }, new FakeGroupLog());
    await gc.load([]);
    await gc.commitOffsets({
      groupId: 'g',
      generationId: -1,
      memberId: '',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }, { partitionIndex: 1, committedOffset: 6, committedMetadata: 'm' }] }],
    });
  });
  afterEach(() => gc.shutdown());

  const offsetsOf = (topics: { name: string; partitions: { partitionIndex: number; committedOffset: number }[] }[] | undefined) =>
    (topics ?? []).flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}@${p.committedOffset}`));

  it('null topics means every committed partition from v2 on, in v7 and in each v8 group', () => {
    for (const v of [2, 5, 6, 7]) {
      expect(offsetsOf(answerOffsetFetch(gc, { groupId: 'g', topics: null, groups: [], requireStable: false }, v).topics)).toEqual(['t-0@5', 't-1@6']);
    }
    // An empty array asks for nothing, as in Kafka; v1 has no null.
    expect(answerOffsetFetch(gc, { groupId: 'g', topics: [], groups: [], requireStable: false }, 7).topics).toEqual([]);
    expect(answerOffsetFetch(gc, { groupId: 'g', topics: null, groups: [], requireStable: false }, 1).topics).toEqual([]);
    const v8 = answerOffsetFetch(gc, { groupId: '', topics: [], requireStable: true, groups: [
      { groupId: 'g', memberId: null, memberEpoch: -1, topics: null },
      { groupId: 'none', memberId: null, memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0] }] },
    ] }, 8);
    expect(v8.groups!.map((g) => [g.groupId, g.errorCode, offsetsOf(g.topics)])).toEqual([
      ['g', E.NONE, ['t-0@5', 't-1@6']],
      ['none', E.NONE, ['t-0@-1']],
    ]);
  });

  it('require_stable counts only from v7 on', () => {
    gc.usePendingTransactionalOffsets({ hasPendingTransactionalOffsets: (_g, _t, p) => p === 1 });
    const errors = (v: number) => answerOffsetFetch(gc, { groupId: 'g', topics: null, groups: [], requireStable: true }, v).topics!.flatMap((t) => t.partitions.map((p) => p.errorCode));
    expect(errors(6)).toEqual([E.NONE, E.NONE]);
    expect(errors(7)).toEqual([E.NONE, E.UNSTABLE_OFFSET_COMMIT]);
  });

  it('OffsetDelete answers unknown partitions UNKNOWN_TOPIC_OR_PARTITION and deletes the rest', async () => {
    const r = await answerOffsetDelete(gc, isHosted, { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }, { partitionIndex: 7 }] }, { name: 'x', partitions: [{ partitionIndex: 0 }] }] });
    expect(r).toEqual({
      errorCode: E.NONE,
      throttleTimeMs: 0,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, errorCode: E.NONE }] },
        { name: 't', partitions: [{ partitionIndex: 7, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
        { name: 'x', partitions: [{ partitionIndex: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
      ],
    });
    expect(offsetsOf(gc.fetchOffsets({ groupId: 'g', topics: null }).topics)).toEqual(['t-1@6']);
    const unknownGroup = await answerOffsetDelete(gc, isHosted, { groupId: 'nobody', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
    expect(unknownGroup).toEqual({ errorCode: E.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] });
  });
});
