import {
  decodeConsumerAssignment,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
  ErrorCode,
  HeartbeatApi,
  JoinGroupApi,
  OffsetCommitApi,
  OffsetFetchApi,
  SyncGroupApi,
} from '@millrace/protocol';
import { GroupError, GroupMembership, isRejoinError, type CoordinatorLink } from './group-membership';

type Sent = { apiKey: number; body: Record<string, unknown> };

/** A scripted coordinator: answers each API key from its queue, records every request. */
class FakeCoordinator {
  readonly sent: Sent[] = [];
  readonly answers = new Map<number, unknown[]>();
  opened = 0;
  closed = 0;
  answer(apiKey: number, ...responses: unknown[]): void {
    this.answers.set(apiKey, [...(this.answers.get(apiKey) ?? []), ...responses]);
  }
  open(): CoordinatorLink {
    this.opened++;
    let alive = true;
    const link = {
      get alive() {
        return alive;
      },
      close: () => {
        alive = false;
        this.closed++;
      },
      send: async (apiKey: number, _version: number, body: Record<string, unknown>) => {
        this.sent.push({ apiKey, body });
        const queue = this.answers.get(apiKey) ?? [];
        if (queue.length === 0) throw new Error(`no scripted answer for api ${apiKey}`);
        return queue.shift();
      },
    };
    return link as unknown as CoordinatorLink;
  }
}

const subscription = (topics: string[]): Buffer => encodeConsumerSubscription(0, { topics, userData: null });
const assignment = (a: Record<string, number[]>): Buffer =>
  encodeConsumerAssignment(0, { assignedPartitions: Object.entries(a).map(([topic, partitions]) => ({ topic, partitions })), userData: null });

function membership(c: FakeCoordinator, counts = new Map([['t', 4]]), requestTimeoutMs?: number): GroupMembership {
  return new GroupMembership({
    groupId: 'connect-sink',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 60_000,
    requestTimeoutMs,
    openCoordinator: async () => c.open(),
    partitionCounts: async () => counts,
  });
}

const joined = (memberId: string, leader: string, generationId: number, members: { memberId: string; metadata: Buffer }[] = []) => ({
  errorCode: 0,
  generationId,
  protocolName: 'range',
  leader,
  memberId,
  members,
});

describe('GroupMembership', () => {
  test('the leader assigns every member with the range assignor over their subscriptions and gets its own share', async () => {
    const c = new FakeCoordinator();
    c.answer(JoinGroupApi.apiKey, joined('m-a', 'm-a', 3, [
      { memberId: 'm-b', metadata: subscription(['t']) },
      { memberId: 'm-a', metadata: subscription(['t']) },
    ]));
    c.answer(SyncGroupApi.apiKey, { errorCode: 0, assignment: assignment({ t: [0, 1] }) });
    const m = membership(c);
    expect(await m.join(['t'])).toEqual({ t: [0, 1] });
    expect(m.generationId).toBe(3);
    expect(m.memberId).toBe('m-a');
    const join = c.sent[0].body as { protocolType: string; protocols: { name: string }[]; memberId: string };
    expect(join.protocolType).toBe('consumer');
    expect(join.protocols.map((p) => p.name)).toEqual(['range']);
    expect(join.memberId).toBe('');
    const sync = c.sent[1].body as { generationId: number; assignments: { memberId: string; assignment: Buffer }[] };
    expect(sync.generationId).toBe(3);
    const given = Object.fromEntries(sync.assignments.map((a) => [a.memberId, decodeConsumerAssignment(a.assignment).value.assignedPartitions]));
    expect(given).toEqual({ 'm-a': [{ topic: 't', partitions: [0, 1] }], 'm-b': [{ topic: 't', partitions: [2, 3] }] });
  });

  test('a follower sends no assignments and takes what the leader gave it; an empty assignment is no partitions', async () => {
    const c = new FakeCoordinator();
    c.answer(JoinGroupApi.apiKey, joined('m-b', 'm-a', 4), joined('m-b', 'm-a', 5));
    c.answer(SyncGroupApi.apiKey, { errorCode: 0, assignment: assignment({ t: [2, 3] }) }, { errorCode: 0, assignment: Buffer.alloc(0) });
    const m = membership(c);
    expect(await m.join(['t'])).toEqual({ t: [2, 3] });
    expect((c.sent[1].body as { assignments: unknown[] }).assignments).toEqual([]);
    expect(await m.join(['t'])).toEqual({});
    // The second join names the member id the coordinator gave.
    expect((c.sent[2].body as { memberId: string }).memberId).toBe('m-b');
  });

  test('a heartbeat told the group rebalances answers rejoin; a commit is refused until the member joined again', async () => {
    const c = new FakeCoordinator();
    c.answer(JoinGroupApi.apiKey, joined('m-b', 'm-a', 7), joined('m-b', 'm-a', 8));
    c.answer(SyncGroupApi.apiKey, { errorCode: 0, assignment: assignment({ t: [1] }) }, { errorCode: 0, assignment: assignment({ t: [1] }) });
    c.answer(HeartbeatApi.apiKey, { errorCode: 0 }, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS });
    c.answer(OffsetCommitApi.apiKey, { topics: [{ name: 't', partitions: [{ partitionIndex: 1, errorCode: ErrorCode.ILLEGAL_GENERATION }] }] });
    const m = membership(c);
    await m.join(['t']);
    expect(await m.heartbeat()).toBe('ok');
    // The coordinator still accepts this generation's commit while it prepares the rebalance; here it refuses it.
    const commit = m.commit([{ topic: 't', partition: 1, offset: 42 }]);
    await expect(commit).rejects.toThrow(GroupError);
    await commit.catch((err: unknown) => {
      expect(isRejoinError(err)).toBe(true);
      expect((err as GroupError).type).toBe('ILLEGAL_GENERATION');
    });
    const sentCommit = c.sent.find((s) => s.apiKey === OffsetCommitApi.apiKey)!.body as { generationIdOrMemberEpoch: number; memberId: string; topics: { partitions: { committedOffset: number }[] }[] };
    expect(sentCommit.generationIdOrMemberEpoch).toBe(7);
    expect(sentCommit.memberId).toBe('m-b');
    expect(sentCommit.topics[0].partitions[0].committedOffset).toBe(42);
    expect(m.member).toBe(false);
    expect(await m.heartbeat()).toBe('rejoin');
    await expect(m.commit([{ topic: 't', partition: 1, offset: 43 }])).rejects.toThrow(/REBALANCE_IN_PROGRESS/);
    await m.join(['t']);
    expect(m.generationId).toBe(8);
  });

  test('REBALANCE_IN_PROGRESS on a heartbeat keeps the generation: what the member applied is committed under it before it joins again', async () => {
    const c = new FakeCoordinator();
    c.answer(JoinGroupApi.apiKey, joined('m-b', 'm-a', 7), joined('m-b', 'm-a', 8));
    c.answer(SyncGroupApi.apiKey, { errorCode: 0, assignment: assignment({ t: [1] }) }, { errorCode: 0, assignment: assignment({ t: [1] }) });
    c.answer(HeartbeatApi.apiKey, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS });
    c.answer(OffsetCommitApi.apiKey, { topics: [{ name: 't', partitions: [{ partitionIndex: 1, errorCode: 0 }] }] });
    const m = membership(c);
    await m.join(['t']);
    expect(await m.heartbeat()).toBe('rejoin');
    expect(m.member).toBe(true);
    await m.commit([{ topic: 't', partition: 1, offset: 42 }]);
    const sentCommit = c.sent.find((s) => s.apiKey === OffsetCommitApi.apiKey)!.body as { generationIdOrMemberEpoch: number };
    expect(sentCommit.generationIdOrMemberEpoch).toBe(7);
    await m.join(['t']);
    expect(m.generationId).toBe(8);
    expect(c.sent.map((s) => s.apiKey)).toEqual([JoinGroupApi.apiKey, SyncGroupApi.apiKey, HeartbeatApi.apiKey, OffsetCommitApi.apiKey, JoinGroupApi.apiKey, SyncGroupApi.apiKey]);
  });

  test('a coordinator that does not answer: the call fails after the request timeout and the connection is dropped', async () => {
    const c = new FakeCoordinator();
    c.answer(JoinGroupApi.apiKey, joined('m-b', 'm-a', 1));
    c.answer(SyncGroupApi.apiKey, { errorCode: 0, assignment: assignment({ t: [0] }) });
    c.answer(HeartbeatApi.apiKey, new Promise(() => undefined), { errorCode: 0 });
    const m = membership(c, undefined, 50);
    await m.join(['t']);
    await expect(m.heartbeat()).rejects.toThrow(/Heartbeat of group connect-sink: no answer in 50 ms/);
    expect(c.closed).toBe(1);
    expect(await m.heartbeat()).toBe('ok');
    expect(c.opened).toBe(2);
  });

  test('UNKNOWN_MEMBER_ID forgets the member id: the next JoinGroup asks for a new one', async () => {
    const c = new FakeCoordinator();
    c.answer(JoinGroupApi.apiKey, joined('m-1', 'm-1', 1), { ...joined('', '', -1), errorCode: ErrorCode.UNKNOWN_MEMBER_ID }, joined('m-2', 'm-2', 3));
    c.answer(SyncGroupApi.apiKey, { errorCode: 0, assignment: Buffer.alloc(0) }, { errorCode: 0, assignment: Buffer.alloc(0) });
    const m = membership(c);
    await m.join(['t']);
    await expect(m.join(['t'])).rejects.toThrow(/UNKNOWN_MEMBER_ID/);
    await m.join(['t']);
    const joins = c.sent.filter((s) => s.apiKey === JoinGroupApi.apiKey).map((s) => (s.body as { memberId: string }).memberId);
    expect(joins).toEqual(['', 'm-1', '']);
    expect(m.memberId).toBe('m-2');
  });

  test('NOT_COORDINATOR drops the connection; the next call finds the coordinator again', async () => {
    const c = new FakeCoordinator();
    c.answer(OffsetFetchApi.apiKey, { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] }, {
      errorCode: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 17, metadata: null, errorCode: 0 }, { partitionIndex: 1, committedOffset: -1, metadata: null, errorCode: 0 }] }],
    });
    const m = membership(c);
    const failed = await m.committed({ t: [0, 1] }).catch((err: unknown) => err);
    expect((failed as GroupError).type).toBe('NOT_COORDINATOR');
    expect((failed as GroupError).retriable).toBe(true);
    expect(c.closed).toBe(1);
    expect(await m.committed({ t: [0, 1] })).toEqual(new Map([['t-0', 17], ['t-1', -1]]));
    expect(c.opened).toBe(2);
  });

  test('a refusal answering a request of an older generation does not end the generation joined since', async () => {
    const c = new FakeCoordinator();
    c.answer(JoinGroupApi.apiKey, joined('m-b', 'm-a', 1), joined('m-b', 'm-a', 2));
    c.answer(SyncGroupApi.apiKey, { errorCode: 0, assignment: assignment({ t: [0] }) }, { errorCode: 0, assignment: assignment({ t: [0] }) });
    const m = membership(c);
    await m.join(['t']);
    // The commit and the heartbeat leave under generation 1; the member joins generation 2 before their refusals arrive.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const link = c.open();
    const send = link.send.bind(link);
    (m as unknown as { link: CoordinatorLink }).link = { ...link, alive: true, close: () => undefined, send: (async (apiKey: number, v: number, body: never) => {
      if (apiKey === OffsetCommitApi.apiKey || apiKey === HeartbeatApi.apiKey) {
        const sent = send(apiKey, v, body);
        await gate;
        return sent;
      }
      return send(apiKey, v, body);
    }) as CoordinatorLink['send'] };
    c.answer(OffsetCommitApi.apiKey, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.ILLEGAL_GENERATION }] }] });
    c.answer(HeartbeatApi.apiKey, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS });
    const commit = m.commit([{ topic: 't', partition: 0, offset: 5 }]).catch((err: unknown) => err);
    const beat = m.heartbeat();
    await new Promise((r) => setImmediate(r));
    await m.join(['t']);
    release();
    expect(((await commit) as GroupError).type).toBe('ILLEGAL_GENERATION');
    expect(await beat).toBe('ok');
    expect(m.generationId).toBe(2);
    expect(m.member).toBe(true);
  });
});
