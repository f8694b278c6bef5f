import { ErrorCode as E, listAssignedPartitions } from '@millrace/protocol';
import { GroupCoordinator } from './group-coordinator';
import { JoinGroupInput, JoinGroupResult } from './group-coordinator.types';
import { encodeAssignment, encodeSubscription, FakeGroupLog, flushPromises, ManualClock, track } from './testing';

const GROUP = 'g';
const DELAY = 100;
const SESSION = 10_000;
const REBALANCE = 30_000;
/**
 * Several members joining an Empty group at once: the first starts the initial delay,
 * the others arriving during it extend it once more (Kafka's InitialDelayedJoin).
 */
const FIRST_REBALANCE = 2 * DELAY;

describe('GroupCoordinator membership (join / sync / heartbeat / leave)', () => {
  let clock: ManualClock;
  let log: FakeGroupLog;
  let gc: GroupCoordinator;

  beforeEach(async () => {
    clock = new ManualClock();
    log = new FakeGroupLog();
    gc = new GroupCoordinator({ groupInitialRebalanceDelayMs: DELAY }, log, clock);
    await gc.load([]);
  });

  afterEach(() => gc.shutdown());

  const joinInput = (memberId = '', extra: Partial<JoinGroupInput> = {}): JoinGroupInput => ({
    groupId: GROUP,
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription(['t']) }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    ...extra,
  });
  const join = (memberId = '', extra: Partial<JoinGroupInput> = {}) => track(gc.joinGroup(joinInput(memberId, extra)));
  const heartbeat = (memberId: string, generationId: number, groupInstanceId: string | null = null) =>
    gc.heartbeat({ groupId: GROUP, memberId, generationId, groupInstanceId }).errorCode;
  const state = () => gc.describeGroups([GROUP])[0].groupState;
  const assignmentFor = (i: number) => encodeAssignment([{ topic: 't', partitions: [i] }]);

  /** Drives `n` dynamic members through join + sync; returns their join results (index 0 = leader). */
  async function stableGroup(n: number, extra: Partial<JoinGroupInput> = {}): Promise<JoinGroupResult[]> {
    const joins = Array.from({ length: n }, () => join('', extra));
    await clock.advance(n > 1 ? FIRST_REBALANCE : DELAY);
    const results = joins.map((j) => j.value);
    const leader = results.find((r) => r.memberId === r.leader)!;
    const syncs = results.map((r) =>
      track(
        gc.syncGroup({
          groupId: GROUP,
          generationId: r.generationId,
          memberId: r.memberId,
          assignments: r === leader ? results.map((x, i) => ({ memberId: x.memberId, assignment: assignmentFor(i) })) : [],
        }),
      ),
    );
    await flushPromises();
    syncs.forEach((s) => expect(s.value.errorCode).toBe(E.NONE));
    expect(state()).toBe('Stable');
    return [leader, ...results.filter((r) => r !== leader)];
  }

  it('runs a full cycle for one member', async () => {
    const j = join();
    await flushPromises();
    expect(j.done).toBe(false); // held for the initial rebalance delay
    expect(state()).toBe('PreparingRebalance');
    await clock.advance(DELAY);
    expect(j.value).toMatchObject({ errorCode: E.NONE, generationId: 1, protocolType: 'consumer', protocolName: 'range' });
    expect(j.value.leader).toBe(j.value.memberId);
    expect(j.value.memberId).toMatch(/^client-[0-9a-f-]{36}$/);
    expect(j.value.members).toEqual([{ memberId: j.value.memberId, groupInstanceId: null, metadata: encodeSubscription(['t']) }]);
    expect(state()).toBe('CompletingRebalance');

    const a = encodeAssignment([{ topic: 't', partitions: [0, 1] }]);
    const s = await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: j.value.memberId, assignments: [{ memberId: j.value.memberId, assignment: a }] });
    expect(s).toEqual({ errorCode: E.NONE, protocolType: 'consumer', protocolName: 'range', assignment: a });
    expect(state()).toBe('Stable');
    expect(heartbeat(j.value.memberId, 1)).toBe(E.NONE);

    const d = gc.describeGroups([GROUP])[0];
    expect(d).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(d.members).toHaveLength(1);
    expect(d.members[0]).toMatchObject({ memberId: j.value.memberId, clientId: 'client', clientHost: '/127.0.0.1' });
    expect(listAssignedPartitions(d.members[0].memberAssignment)).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    expect(gc.listGroups()).toEqual({ errorCode: 0, groups: [{ groupId: GROUP, protocolType: 'consumer', groupState: 'Stable' }] });
  });

  it('runs a full cycle for three members: one leader, followers wait for its assignment', async () => {
    const joins = [join(), join(), join()];
    await clock.advance(DELAY);
    expect(joins[0].done).toBe(false);
    await clock.advance(FIRST_REBALANCE - DELAY);
    const results = joins.map((j) => j.value);
    const leaderId = results[0].memberId;
    for (const r of results) {
      expect(r).toMatchObject({ errorCode: E.NONE, generationId: 1, leader: leaderId, protocolName: 'range' });
    }
    expect(results[0].members.map((m) => m.memberId)).toEqual(results.map((r) => r.memberId));
    expect(results[1].members).toEqual([]);
    expect(results[2].members).toEqual([]);

    const followerSyncs = results.slice(1).map((r) => track(gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: r.memberId, assignments: [] })));
    await flushPromises();
    expect(followerSyncs.some((s) => s.done)).toBe(false);

    const leaderSync = track(
      gc.syncGroup({
        groupId: GROUP,
        generationId: 1,
        memberId: leaderId,
        assignments: results.map((r, i) => ({ memberId: r.memberId, assignment: assignmentFor(i) })),
      }),
    );
    await flushPromises();
    expect(leaderSync.value.assignment).toEqual(assignmentFor(0));
    expect(followerSyncs[0].value.assignment).toEqual(assignmentFor(1));
    expect(followerSyncs[1].value.assignment).toEqual(assignmentFor(2));
    expect(state()).toBe('Stable');
    for (const r of results) expect(heartbeat(r.memberId, 1)).toBe(E.NONE);
  });

  it('extends the initial delay while new members keep joining', async () => {
    const a = join();
    await clock.advance(DELAY - 20);
    const b = join();
    await clock.advance(20); // first delay over, but a member arrived meanwhile
    expect(a.done).toBe(false);
    await clock.advance(DELAY);
    expect(a.value.generationId).toBe(1);
    expect(b.value.generationId).toBe(1);
    expect(a.value.members).toHaveLength(2);
  });

  it('rebalances when a member leaves; the others rejoin and get a new generation', async () => {
    const [leader, f1, f2] = await stableGroup(3);
    const leave = gc.leaveGroup({ groupId: GROUP, members: [{ memberId: f2.memberId }] });
    expect(leave).toEqual({ errorCode: 0, members: [{ memberId: f2.memberId, groupInstanceId: null, errorCode: 0 }] });
    expect(state()).toBe('PreparingRebalance');
    expect(heartbeat(leader.memberId, 1)).toBe(E.REBALANCE_IN_PROGRESS);
    expect(heartbeat(f2.memberId, 1)).toBe(E.UNKNOWN_MEMBER_ID);

    const j1 = join(leader.memberId);
    await flushPromises();
    expect(j1.done).toBe(false); // waits for f1
    const j2 = join(f1.memberId);
    await flushPromises();
    expect(j1.value).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: leader.memberId });
    expect(j2.value).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: leader.memberId, members: [] });
    expect(j1.value.members.map((m) => m.memberId)).toEqual([leader.memberId, f1.memberId]);

    // The old generation is rejected.
    expect(heartbeat(f1.memberId, 1)).toBe(E.ILLEGAL_GENERATION);
    const stale = await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: f1.memberId, assignments: [] });
    expect(stale.errorCode).toBe(E.ILLEGAL_GENERATION);
    const unknown = await gc.syncGroup({ groupId: GROUP, generationId: 2, memberId: 'nobody', assignments: [] });
    expect(unknown.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('answers SyncGroup with REBALANCE_IN_PROGRESS when a rebalance starts before the assignment', async () => {
    const joins = [join(), join()];
    await clock.advance(FIRST_REBALANCE);
    const [l, f] = joins.map((j) => j.value);
    const followerSync = track(gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: f.memberId, assignments: [] }));
    await flushPromises();
    const newcomer = join();
    await flushPromises();
    expect(followerSync.value.errorCode).toBe(E.REBALANCE_IN_PROGRESS);
    expect(state()).toBe('PreparingRebalance');
    const late = await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: l.memberId, assignments: [] });
    expect(late.errorCode).toBe(E.REBALANCE_IN_PROGRESS);
    join(l.memberId);
    join(f.memberId);
    await flushPromises();
    expect(newcomer.value.generationId).toBe(2);
  });

  it('answers COORDINATOR_NOT_AVAILABLE and rebalances when the assignment cannot be persisted', async () => {
    const joins = [join(), join()];
    await clock.advance(FIRST_REBALANCE);
    const [l, f] = joins.map((j) => j.value);
    const followerSync = track(gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: f.memberId, assignments: [] }));
    log.failNext = 1;
    const leaderSync = await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: l.memberId, assignments: [{ memberId: f.memberId, assignment: assignmentFor(1) }] });
    await flushPromises();
    expect(leaderSync).toEqual({ errorCode: E.COORDINATOR_NOT_AVAILABLE, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    expect(followerSync.value.errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(state()).toBe('PreparingRebalance');
  });

  it('removes a member whose session expires and rebalances', async () => {
    const [a, b] = await stableGroup(2);
    await clock.advance(SESSION / 2);
    expect(heartbeat(a.memberId, 1)).toBe(E.NONE);
    await clock.advance(SESSION / 2); // b's session is over
    expect(state()).toBe('PreparingRebalance');
    expect(heartbeat(b.memberId, 1)).toBe(E.UNKNOWN_MEMBER_ID);
    expect(heartbeat(a.memberId, 1)).toBe(E.REBALANCE_IN_PROGRESS);
    const rejoin = join(a.memberId);
    await flushPromises();
    expect(rejoin.value).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: a.memberId });
    expect(rejoin.value.members.map((m) => m.memberId)).toEqual([a.memberId]);
  });

  it('an idle group whose only member expires becomes Empty with a new generation persisted', async () => {
    await stableGroup(1);
    await clock.advance(SESSION);
    expect(state()).toBe('Empty');
    const d = gc.describeGroups([GROUP])[0];
    expect(d.members).toEqual([]);
    // The last GroupMetadata record is the empty generation 2.
    expect(log.records.at(-1)!.value).not.toBeNull();
  });

  it('removes members that do not rejoin within the rebalance timeout', async () => {
    const [a, b] = await stableGroup(2);
    const rejoin = join(a.memberId); // a leader rejoin forces a rebalance
    await flushPromises();
    expect(state()).toBe('PreparingRebalance');
    // b keeps heartbeating (so its session stays alive) but never rejoins.
    for (let t = 0; t < REBALANCE - 5_000; t += 5_000) {
      await clock.advance(5_000);
      expect(heartbeat(b.memberId, 1)).toBe(E.REBALANCE_IN_PROGRESS);
      expect(rejoin.done).toBe(false);
    }
    await clock.advance(5_000);
    expect(rejoin.value).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: a.memberId });
    expect(rejoin.value.members.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(heartbeat(b.memberId, 2)).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('removes members that do not send SyncGroup within the rebalance timeout', async () => {
    const joins = [join(), join()];
    await clock.advance(FIRST_REBALANCE);
    const [l, f] = joins.map((j) => j.value);
    const leaderSync = track(gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: l.memberId, assignments: [] }));
    await flushPromises();
    expect(leaderSync.value.errorCode).toBe(E.NONE);
    expect(state()).toBe('Stable');
    for (let t = 0; t < REBALANCE; t += 5_000) {
      await clock.advance(5_000);
      heartbeat(l.memberId, 1);
    }
    expect(heartbeat(f.memberId, 1)).toBe(E.UNKNOWN_MEMBER_ID);
    expect(state()).toBe('PreparingRebalance');
  });

  it('MEMBER_ID_REQUIRED: a v4+ member must rejoin with the id it was given', async () => {
    const first = await gc.joinGroup(joinInput('', { requireKnownMemberId: true }));
    expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^client-/);
    expect(first.generationId).toBe(-1);
    expect(state()).toBe('Empty');
    const second = join(first.memberId, { requireKnownMemberId: true });
    await clock.advance(DELAY);
    expect(second.value).toMatchObject({ errorCode: E.NONE, memberId: first.memberId, leader: first.memberId, generationId: 1 });
    // An unknown, non-empty member id is rejected.
    const bogus = await gc.joinGroup(joinInput('made-up', { requireKnownMemberId: true }));
    expect(bogus.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('a rebalance waits for pending (MEMBER_ID_REQUIRED) members until their session expires', async () => {
    const [a] = await stableGroup(1);
    const pending = await gc.joinGroup(joinInput('', { requireKnownMemberId: true }));
    expect(pending.errorCode).toBe(E.MEMBER_ID_REQUIRED);
    const rejoin = join(a.memberId);
    await clock.advance(SESSION - 1);
    expect(rejoin.done).toBe(false);
    await clock.advance(1);
    expect(rejoin.value).toMatchObject({ errorCode: E.NONE, generationId: 2 });
  });

  it('validates group id, session timeout and protocol', async () => {
    expect((await gc.joinGroup(joinInput('', { groupId: '' }))).errorCode).toBe(E.INVALID_GROUP_ID);
    expect((await gc.joinGroup(joinInput('', { sessionTimeoutMs: 1000 }))).errorCode).toBe(E.INVALID_SESSION_TIMEOUT);
    expect((await gc.joinGroup(joinInput('', { sessionTimeoutMs: 2_000_000 }))).errorCode).toBe(E.INVALID_SESSION_TIMEOUT);
    expect((await gc.joinGroup(joinInput('', { protocols: [] }))).errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    await stableGroup(1);
    const other = await gc.joinGroup(joinInput('', { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }));
    expect(other.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    const otherType = await gc.joinGroup(joinInput('', { protocolType: 'connect' }));
    expect(otherType.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('selects the protocol all members support, by vote', async () => {
    const meta = Buffer.from([1]);
    const a = join('', { protocols: [{ name: 'roundrobin', metadata: meta }, { name: 'range', metadata: meta }] });
    const b = join('', { protocols: [{ name: 'sticky', metadata: meta }, { name: 'range', metadata: meta }, { name: 'roundrobin', metadata: meta }] });
    const c = join('', { protocols: [{ name: 'roundrobin', metadata: meta }, { name: 'range', metadata: meta }] });
    await clock.advance(FIRST_REBALANCE);
    expect([a, b, c].map((j) => j.value.protocolName)).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
  });

  it('a follower rejoining a Stable group with the same metadata gets the current generation without a rebalance', async () => {
    const [, f] = await stableGroup(2);
    const again = await gc.joinGroup(joinInput(f.memberId));
    expect(again).toMatchObject({ errorCode: E.NONE, generationId: 1, members: [] });
    expect(state()).toBe('Stable');
    const s = await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: f.memberId, assignments: [] });
    expect(s.assignment).toEqual(assignmentFor(1));
  });

  describe('static membership', () => {
    const STATIC = { groupInstanceId: 'instance-a' };

    it('a static member rejoining with its instance id replaces its member id without a rebalance, and the old id is fenced', async () => {
      const a = join('', STATIC);
      const b = join();
      await clock.advance(FIRST_REBALANCE);
      const [ra, rb] = [a.value, b.value];
      expect(ra.memberId).toMatch(/^instance-a-/);
      expect(ra.leader).toBe(ra.memberId);
      await Promise.all([
        gc.syncGroup({
          groupId: GROUP,
          generationId: 1,
          memberId: ra.memberId,
          groupInstanceId: 'instance-a',
          assignments: [
            { memberId: ra.memberId, assignment: assignmentFor(0) },
            { memberId: rb.memberId, assignment: assignmentFor(1) },
          ],
        }),
        gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: rb.memberId, assignments: [] }),
      ]);
      const recordsBefore = log.records.length;

      // The static member restarts: same instance id, no member id, same protocols.
      const restarted = await gc.joinGroup(joinInput('', STATIC));
      expect(restarted.errorCode).toBe(E.NONE);
      expect(restarted.memberId).not.toBe(ra.memberId);
      expect(restarted.generationId).toBe(1);
      expect(restarted.leader).toBe(ra.memberId); // old leader id: no reassignment by the new id
      expect(restarted.members).toEqual([]);
      expect(state()).toBe('Stable');
      expect(log.records.length).toBe(recordsBefore + 1); // the new member id was persisted
      expect(heartbeat(rb.memberId, 1)).toBe(E.NONE); // no rebalance for the others

      const s = await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: restarted.memberId, groupInstanceId: 'instance-a', assignments: [] });
      expect(s).toMatchObject({ errorCode: E.NONE, assignment: assignmentFor(0) });
      expect(heartbeat(restarted.memberId, 1, 'instance-a')).toBe(E.NONE);

      // The zombie with the old member id is fenced.
      expect(heartbeat(ra.memberId, 1, 'instance-a')).toBe(E.FENCED_INSTANCE_ID);
      const zombieJoin = await gc.joinGroup(joinInput(ra.memberId, STATIC));
      expect(zombieJoin.errorCode).toBe(E.FENCED_INSTANCE_ID);
      const zombieSync = await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: ra.memberId, groupInstanceId: 'instance-a', assignments: [] });
      expect(zombieSync.errorCode).toBe(E.FENCED_INSTANCE_ID);
      const zombieCommit = await gc.commitOffsets({
        groupId: GROUP,
        generationId: 1,
        memberId: ra.memberId,
        groupInstanceId: 'instance-a',
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
      });
      expect(zombieCommit.topics[0].partitions[0].errorCode).toBe(E.FENCED_INSTANCE_ID);

      const d = gc.describeGroups([GROUP])[0];
      expect(d.members.map((m) => [m.memberId, m.groupInstanceId])).toEqual([
        [restarted.memberId, 'instance-a'],
        [rb.memberId, null],
      ]);
    });

    it('keeps the old member id when the static member replacement cannot be persisted', async () => {
      const a = join('', STATIC);
      await clock.advance(DELAY);
      await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: a.value.memberId, assignments: [] });
      log.failNext = 1;
      const restarted = await gc.joinGroup(joinInput('', STATIC));
      expect(restarted.errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
      expect(heartbeat(a.value.memberId, 1, 'instance-a')).toBe(E.NONE);
      expect(heartbeat(restarted.memberId, 1, 'instance-a')).toBe(E.FENCED_INSTANCE_ID);
      expect(state()).toBe('Stable');
    });

    it('a static member rejoining with changed protocols triggers a rebalance', async () => {
      const a = join('', STATIC);
      await clock.advance(DELAY);
      await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: a.value.memberId, assignments: [] });
      const restarted = join('', { ...STATIC, protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }, { name: 'range', metadata: Buffer.alloc(0) }] });
      await flushPromises();
      expect(state()).toBe('CompletingRebalance');
      expect(restarted.value).toMatchObject({ errorCode: E.NONE, generationId: 2, protocolName: 'roundrobin' });
    });

    it('static members that do not rejoin are not removed by the rebalance timeout', async () => {
      const a = join('', STATIC);
      const b = join();
      await clock.advance(FIRST_REBALANCE);
      await Promise.all([a, b].map((j) => gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: j.value.memberId, assignments: [] })));
      gc.leaveGroup({ groupId: GROUP, members: [{ memberId: b.value.memberId }] });
      expect(state()).toBe('PreparingRebalance');
      for (let t = 0; t < 2 * REBALANCE; t += 5_000) {
        await clock.advance(5_000);
        expect(heartbeat(a.value.memberId, 1, 'instance-a')).toBe(E.REBALANCE_IN_PROGRESS);
      }
      expect(gc.describeGroups([GROUP])[0].members.map((m) => m.memberId)).toEqual([a.value.memberId]);
      const rejoin = join(a.value.memberId, STATIC);
      await flushPromises();
      expect(rejoin.value).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: a.value.memberId });
    });

    it('static members can leave by instance id alone (LeaveGroup v3+)', async () => {
      const a = join('', STATIC);
      const b = join();
      await clock.advance(FIRST_REBALANCE);
      await Promise.all([a, b].map((j) => gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: j.value.memberId, assignments: [] })));
      const rejoinB = join(b.value.memberId); // follower with same metadata: no rebalance
      await flushPromises();
      expect(rejoinB.value.generationId).toBe(1);
      const leave = gc.leaveGroup({ groupId: GROUP, members: [{ memberId: '', groupInstanceId: 'instance-a' }, { memberId: '', groupInstanceId: 'nope' }] });
      expect(leave.members.map((m) => m.errorCode)).toEqual([E.NONE, E.UNKNOWN_MEMBER_ID]);
      expect(state()).toBe('PreparingRebalance');
      const again = join(b.value.memberId);
      await flushPromises();
      expect(again.value).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: b.value.memberId });
    });
  });

  it('LeaveGroup of unknown members and groups', () => {
    expect(gc.leaveGroup({ groupId: 'unknown', members: [{ memberId: 'x' }] })).toEqual({
      errorCode: 0,
      members: [{ memberId: 'x', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID }],
    });
    expect(gc.leaveGroup({ groupId: '', members: [{ memberId: 'x' }] }).errorCode).toBe(E.INVALID_GROUP_ID);
  });

  it('Heartbeat and SyncGroup of unknown groups', async () => {
    expect(heartbeat('x', 1)).toBe(E.UNKNOWN_MEMBER_ID);
    expect((await gc.syncGroup({ groupId: GROUP, generationId: 1, memberId: 'x', assignments: [] })).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('shutdown answers pending requests with NOT_COORDINATOR', async () => {
    const j = join();
    await flushPromises();
    gc.shutdown();
    await flushPromises();
    expect(j.value.errorCode).toBe(E.NOT_COORDINATOR);
    expect(heartbeat('x', 1)).toBe(E.NOT_COORDINATOR);
    expect((await gc.joinGroup(joinInput())).errorCode).toBe(E.NOT_COORDINATOR);
    expect(clock.pendingTasks).toBe(0);
  });
});
