import { ErrorCode as E } from '@millrace/protocol';
import { encodeOffsetCommitKey, encodeOffsetCommitValue } from './consumer-offsets-format';
import { GroupCoordinator } from './group-coordinator';
import type { GroupLogRecord } from './group-log';
import { partitionForGroup } from './group-partitioner';
import { encodeSubscription, FakeGroupLog, ManualClock, track } from './testing';

const PARTITIONS = 6;

/** Cluster mode: the coordinator serves a group only while this broker leads its `__consumer_offsets` partition. */
describe('GroupCoordinator following __consumer_offsets leadership', () => {
  let clock: ManualClock;
  let gc: GroupCoordinator;
  const group = 'orders-readers';
  const partition = partitionForGroup(group, PARTITIONS);

  beforeEach(() => {
    clock = new ManualClock();
    gc = new GroupCoordinator({ groupInitialRebalanceDelayMs: 100, offsetsTopicNumPartitions: 50 }, new FakeGroupLog(), clock);
    gc.startPartitioned(PARTITIONS);
  });

  afterEach(() => gc.shutdown());

  const fetch = () => gc.fetchOffsets({ groupId: group, topics: [{ name: 't', partitionIndexes: [0] }] });
  const committed = (offset: number): GroupLogRecord => ({
    key: encodeOffsetCommitKey(group, 't', 0),
    value: encodeOffsetCommitValue({ offset, leaderEpoch: -1, metadata: '', commitTimestamp: 1, expireTimestamp: null }),
  });

  /** Records handed out one at a time, the next only once `release()` is called. */
  function gated(records: GroupLogRecord[]): { iterable: AsyncIterable<GroupLogRecord>; release: () => void } {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    return {
      release: () => open(),
      iterable: (async function* () {
        await gate;
        yield* records;
      })(),
    };
  }

  it('answers NOT_COORDINATOR for a partition it does not lead, LOAD_IN_PROGRESS while loading it, then its offsets', async () => {
    expect(fetch().errorCode).toBe(E.NOT_COORDINATOR);
    const { iterable, release } = gated([committed(5), committed(7)]);
    const loading = gc.loadPartition(partition, iterable, PARTITIONS);
    expect(fetch().errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    release();
    expect(await loading).toMatchObject({ offsets: 1, groups: 1 });
    expect(fetch()).toMatchObject({ errorCode: E.NONE, topics: [{ partitions: [{ committedOffset: 7 }] }] });
    expect(gc.ownedPartitions()).toEqual([partition]);
    // Another group, on a partition led elsewhere.
    const other = [...Array(100).keys()].map((i) => `g-${i}`).find((g) => partitionForGroup(g, PARTITIONS) !== partition)!;
    expect(gc.fetchOffsets({ groupId: other, topics: null }).errorCode).toBe(E.NOT_COORDINATOR);
  });

  it('unloading answers pending joins NOT_COORDINATOR and forgets the groups; a new election loads them again', async () => {
    await gc.loadPartition(partition, [committed(3)], PARTITIONS);
    const join = track(
      gc.joinGroup({
        groupId: group,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 30_000,
        memberId: '',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: encodeSubscription(['t']) }],
        clientId: 'c',
        clientHost: '/10.0.0.1',
        requireKnownMemberId: false,
      }),
    );
    expect(gc.unloadPartition(partition)).toBe(1);
    await Promise.resolve();
    expect(join.value).toMatchObject({ errorCode: E.NOT_COORDINATOR });
    expect(fetch().errorCode).toBe(E.NOT_COORDINATOR);
    expect(gc.listGroups().groups).toEqual([]);
    await gc.loadPartition(partition, [committed(3), committed(9)], PARTITIONS);
    expect(fetch()).toMatchObject({ errorCode: E.NONE, topics: [{ partitions: [{ committedOffset: 9 }] }] });
  });

  it('discards a load that finishes after the partition was given up', async () => {
    const { iterable, release } = gated([committed(5)]);
    const loading = gc.loadPartition(partition, iterable, PARTITIONS);
    gc.unloadPartition(partition);
    release();
    expect(await loading).toBeNull();
    expect(fetch().errorCode).toBe(E.NOT_COORDINATOR);
    expect(gc.listGroups().groups).toEqual([]);
  });
});
