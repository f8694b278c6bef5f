import { ErrorCode } from '@millrace/protocol';
import { KeyedSerializer } from './keyed-serializer';
import { PARTITION_BACKOFF_MS, ReplicaFetcher } from './replica-fetcher';
import { batch, epochResponse, FakeLeader, FakeReplica, FETCH, fetchResponse, named, OFFSET_FOR_LEADER_EPOCH } from './testing/fake-leader';

/**
 * One fetcher per leader: one request names all its partitions; the leader's answer is
 * applied partition by partition (appends, high watermarks, truncation, back-off of the
 * failing ones only).
 */
describe('ReplicaFetcher (one leader, many partitions)', () => {
  let leader: FakeLeader;
  let replicas: Map<string, FakeReplica>;
  let fetcher: ReplicaFetcher | null;
  let warnings: string[];

  const replica = (key: string): FakeReplica => {
    let r = replicas.get(key);
    if (!r) replicas.set(key, (r = new FakeReplica()));
    return r;
  };
  const start = (): ReplicaFetcher => {
    const serializer = new KeyedSerializer();
    fetcher = new ReplicaFetcher(2, {
      nodeId: 1,
      fetchWaitMaxMs: 500,
      replica: (topic, partition) => replicas.get(`${topic}-${partition}`),
      connect: () => Promise.resolve(leader.connect()),
      exclusive: (topic, partition, op) => serializer.run(`${topic}-${partition}`, op),
      logger: { info: () => undefined, warn: (m) => warnings.push(m) },
    });
    return fetcher;
  };

  beforeEach(() => {
    leader = new FakeLeader();
    replicas = new Map();
    warnings = [];
    fetcher = null;
  });

  afterEach(async () => {
    await fetcher?.stop();
  });

  it('sends one Fetch naming every partition at its log end, appends each answer to its own replica and follows each high watermark', async () => {
    replica('a-0').logEndOffset = 5;
    replica('a-1');
    replica('b-0').logEndOffset = 2;
    const f = start();
    f.follow('a', 0, 3);
    f.follow('a', 1, 3);
    f.follow('b', 0, 7);

    const first = await leader.next();
    expect(first.apiKey).toBe(FETCH);
    expect(first.body.maxWaitMs).toBe(500);
    expect(named(first.body)).toEqual(['a-0@5/e3', 'a-1@0/e3', 'b-0@2/e7']);
    first.respond(
      fetchResponse([
        { topic: 'a', partition: 0, highWatermark: 6, records: Buffer.concat([batch(5, 2, 3), batch(7, 1, 3)]) },
        { topic: 'a', partition: 1, highWatermark: 0 },
        { topic: 'b', partition: 0, highWatermark: 4, records: batch(2, 3, 6) },
      ]),
    );

    const second = await leader.next();
    expect(named(second.body)).toEqual(['a-0@8/e3', 'a-1@0/e3', 'b-0@5/e7']);
    expect(replica('a-0').appended).toEqual([
      { baseOffset: 5, lastOffset: 6, epoch: 3 },
      { baseOffset: 7, lastOffset: 7, epoch: 3 },
    ]);
    expect(replica('b-0').appended).toEqual([{ baseOffset: 2, lastOffset: 4, epoch: 6 }]);
    expect(replica('a-1').appended).toEqual([]);
    expect([replica('a-0').highWatermark, replica('a-1').highWatermark, replica('b-0').highWatermark]).toEqual([6, 0, 4]);
    expect(leader.connections).toBe(1);
  });

  it('truncates every new partition with one OffsetForLeaderEpoch before fetching it: cut at the leader end, or at its own end of an older answered epoch', async () => {
    const x = replica('t-0');
    x.logEndOffset = 50;
    x.latest = 4; // the leader ended epoch 4 at 40: 10 divergent records go
    const y = replica('t-1');
    y.logEndOffset = 30;
    y.latest = 5;
    y.epochEnds.set(2, 22); // the leader only knows epoch 2 up to 25; this copy of 2 ends at 22
    const z = replica('t-2'); // empty epoch cache: fetched without truncation
    const f = start();
    f.follow('t', 0, 6);
    f.follow('t', 1, 6);
    f.follow('t', 2, 6);

    const ask = await leader.next();
    expect(ask.apiKey).toBe(OFFSET_FOR_LEADER_EPOCH);
    expect(named(ask.body)).toEqual(['t-0@4/e6', 't-1@5/e6']);
    ask.respond(
      epochResponse([
        { topic: 't', partition: 0, leaderEpoch: 4, endOffset: 40 },
        { topic: 't', partition: 1, leaderEpoch: 2, endOffset: 25 },
      ]),
    );
    const fetch = await leader.next();
    expect(fetch.apiKey).toBe(FETCH);
    expect(x.truncations).toEqual([40]);
    expect(y.truncations).toEqual([22]);
    expect(z.truncations).toEqual([]);
    expect(named(fetch.body)).toEqual(['t-0@40/e6', 't-1@22/e6', 't-2@0/e6']);
  });

  it('leaves a partition the leader fences out of the next fetches for the back-off, keeps fetching the others, then asks for it again', async () => {
    replica('t-0');
    replica('t-1').logEndOffset = 3;
    const f = start();
    f.follow('t', 0, 1);
    f.follow('t', 1, 1);

    const first = await leader.next();
    const failedAt = Date.now();
    first.respond(
      fetchResponse([
        { topic: 't', partition: 0, errorCode: ErrorCode.FENCED_LEADER_EPOCH, highWatermark: -1 },
        { topic: 't', partition: 1, highWatermark: 4, records: batch(3, 1, 1) },
      ]),
    );
    const second = await leader.next();
    expect(named(second.body)).toEqual(['t-1@4/e1']);
    // The park may not outlast the back-off: the fenced partition must rejoin on time.
    expect(second.body.maxWaitMs).toBeLessThanOrEqual(PARTITION_BACKOFF_MS);
    second.respond(fetchResponse([{ topic: 't', partition: 1, highWatermark: 4 }]));
    let again = await leader.next();
    while (named(again.body).length === 1) {
      again.respond(fetchResponse([{ topic: 't', partition: 1, highWatermark: 4 }]));
      again = await leader.next();
    }
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(PARTITION_BACKOFF_MS - 20);
    expect(named(again.body)).toEqual(['t-0@0/e1', 't-1@4/e1']);
    expect(replica('t-0').appended).toEqual([]);
    expect(leader.connections).toBe(1);
  });

  it('an out-of-range partition below the leader log start is reported and backed off; an append that fails backs off only its partition', async () => {
    replica('t-0').logEndOffset = 10;
    replica('t-1').failAppends = true;
    replica('t-2');
    const f = start();
    f.follow('t', 0, 1);
    f.follow('t', 1, 1);
    f.follow('t', 2, 1);

    (await leader.next()).respond(
      fetchResponse([
        { topic: 't', partition: 0, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset: 100, highWatermark: 120 },
        { topic: 't', partition: 1, highWatermark: 1, records: batch(0, 1, 1) },
        { topic: 't', partition: 2, highWatermark: 2, records: batch(0, 2, 1) },
      ]),
    );
    const next = await leader.next();
    expect(named(next.body)).toEqual(['t-2@2/e1']);
    expect(warnings.some((w) => w.includes('t-0') && w.includes('below the leader\'s log start 100'))).toBe(true);
    expect(warnings.some((w) => w.includes('t-1') && w.includes('disk full'))).toBe(true);
    expect(replica('t-2').highWatermark).toBe(2);
    expect(replica('t-0').logEndOffset).toBe(10);
  });

  it('a partition added while a fetch is parked interrupts it; a new epoch truncates again and the answer for the old term is never appended', async () => {
    const p = replica('t-0');
    p.latest = 1;
    const f = start();
    f.follow('t', 0, 1);
    (await leader.next()).respond(epochResponse([{ topic: 't', partition: 0, leaderEpoch: 1, endOffset: 0 }]));
    const parked = await leader.next();
    expect(named(parked.body)).toEqual(['t-0@0/e1']);

    replica('u-0');
    f.follow('t', 0, 2); // new term, same leader
    f.follow('u', 0, 2);
    expect(leader.closed).toBe(1);
    parked.respond(fetchResponse([{ topic: 't', partition: 0, highWatermark: 1, records: batch(0, 1, 1) }])); // too late: dropped

    const ask = await leader.next();
    expect(ask.connection).toBe(2);
    expect(ask.apiKey).toBe(OFFSET_FOR_LEADER_EPOCH);
    expect(named(ask.body)).toEqual(['t-0@1/e2']);
    ask.respond(epochResponse([{ topic: 't', partition: 0, leaderEpoch: 1, endOffset: 0 }]));
    const fetch = await leader.next();
    expect(named(fetch.body)).toEqual(['t-0@0/e2', 'u-0@0/e2']);
    expect(p.appended).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('drops the answer for a partition unfollowed while its fetch was in flight, and stops asking for it', async () => {
    replica('t-0');
    replica('t-1');
    const f = start();
    f.follow('t', 0, 1);
    f.follow('t', 1, 1);
    const inFlight = await leader.next();
    f.unfollow('t', 1);
    expect(f.size).toBe(1);
    inFlight.respond(
      fetchResponse([
        { topic: 't', partition: 0, highWatermark: 1, records: batch(0, 1, 1) },
        { topic: 't', partition: 1, highWatermark: 1, records: batch(0, 1, 1) },
      ]),
    );
    const next = await leader.next();
    expect(named(next.body)).toEqual(['t-0@1/e1']);
    expect(replica('t-1').appended).toEqual([]);
    expect(replica('t-0').appended).toHaveLength(1);
  });

  it('fetches a partition only once its log is open, and reconnects after the connection fails without truncating again', async () => {
    const f = start();
    f.follow('t', 0, 1);
    await new Promise((r) => setTimeout(r, 50));
    const p = replica('t-0');
    p.latest = 1;
    const ask = await leader.next();
    expect(ask.apiKey).toBe(OFFSET_FOR_LEADER_EPOCH);
    ask.respond(epochResponse([{ topic: 't', partition: 0, leaderEpoch: 1, endOffset: 0 }]));
    const fetch = await leader.next();
    expect(named(fetch.body)).toEqual(['t-0@0/e1']);
    leader.dropAll();
    const again = await leader.next();
    expect(again.apiKey).toBe(FETCH);
    expect(again.connection).toBe(2);
    expect(warnings.some((w) => w.includes('connection closed') && w.includes('reconnecting'))).toBe(true);
  });
});
