import { ErrorCode as E } from '@millrace/protocol';
import { flushPromises, ManualClock } from '../group-coordinator/testing';
import { DEFAULT_TRANSACTION_CONFIG, type TransactionConfig } from './transaction-config';
import { partitionErrorKey, TransactionCoordinator } from './transaction-coordinator';
import { decodeTxnKey, decodeTxnValue, type LoadedTxn } from './transaction-log-format';
import type { MarkerWriter } from './transaction-markers';
import { TxnState } from './transaction-metadata';
import type { TxnStateStore } from './transaction-state-log';

class FakeStore implements TxnStateStore {
  readonly records: { partition: number; id: string; value: LoadedTxn | null }[] = [];
  failNext = 0;

  async append(partition: number, key: Buffer, value: Buffer | null): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('append failed');
    }
    this.records.push({ partition, id: decodeTxnKey(key), value: value === null ? null : decodeTxnValue(value) });
  }

  states(id: string): TxnState[] {
    return this.records.filter((r) => r.id === id && r.value !== null).map((r) => r.value!.state);
  }
}

class FakeMarkers implements MarkerWriter {
  readonly written: { producerId: number; producerEpoch: number; commit: boolean; partitions: string[] }[] = [];
  failNext = 0;
  /** When set, writes wait until release(). */
  hold = false;
  private held: (() => void)[] = [];

  async writeMarkers(producerId: number, producerEpoch: number, commit: boolean, partitions: { topic: string; partition: number }[]): Promise<void> {
    if (this.hold) await new Promise<void>((r) => this.held.push(r));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('partition offline');
    }
    this.written.push({ producerId, producerEpoch, commit, partitions: partitions.map((p) => `${p.topic}-${p.partition}`) });
  }

  release(): void {
    this.hold = false;
    for (const r of this.held.splice(0)) r();
  }
}

describe('TransactionCoordinator', () => {
  let clock: ManualClock;
  let store: FakeStore;
  let markers: FakeMarkers;
  let nextPid: number;
  let tc: TransactionCoordinator;
  const logs: string[] = [];

  function make(config: Partial<TransactionConfig> = {}): TransactionCoordinator {
    return new TransactionCoordinator(
      { ...DEFAULT_TRANSACTION_CONFIG, markerRetryBackoffMs: 10, ...config },
      store,
      markers,
      { nextProducerId: async () => nextPid++ },
      (topic) => topic !== 'missing',
      { info: (m) => logs.push(m), warn: (m) => logs.push(`WARN ${m}`) },
      clock,
    );
  }

  beforeEach(() => {
    clock = new ManualClock();
    store = new FakeStore();
    markers = new FakeMarkers();
    nextPid = 1000;
    logs.length = 0;
    tc = make();
    tc.load(new Map());
  });
  afterEach(() => tc.shutdown());

  const init = (id = 't', timeout = 60_000, pid = -1, epoch = -1, version = 4) => tc.initProducerId(id, timeout, pid, epoch, version);
  const add = async (id: string, pid: number, epoch: number, ...parts: string[]) => {
    const res = await tc.addPartitions(id, pid, epoch, parts.map((p) => ({ topic: p, partition: 0 })), true);
    return [...res.values()];
  };

  it('InitProducerId allocates a producer id, bumps the epoch on every call and persists Empty', async () => {
    expect(await init()).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
    expect(await init()).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 1 });
    expect(store.states('t')).toEqual([TxnState.Empty, TxnState.Empty]);
    expect(store.records[0].partition).toBe(tc.partitionFor('t'));
  });

  it('rejects a timeout above transaction.max.timeout.ms and an empty id', async () => {
    expect((await init('t', 900_001)).errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT);
    expect((await init('t', 0)).errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT);
    expect((await init('')).errorCode).toBe(E.INVALID_REQUEST);
  });

  it('runs Empty -> Ongoing -> PrepareCommit -> CompleteCommit with markers on every partition', async () => {
    const { producerId, producerEpoch } = await init();
    expect(await add('t', producerId, producerEpoch, 'a', 'b')).toEqual([E.NONE, E.NONE]);
    expect(tc.verifyProduce('t', producerId, producerEpoch, 'a', 0)).toBe(E.NONE);
    expect(tc.verifyProduce('t', producerId, producerEpoch, 'c', 0)).toBe(E.INVALID_TXN_STATE);
    expect(tc.verifyProduce('t', producerId, producerEpoch - 1, 'a', 0)).toBe(E.INVALID_PRODUCER_EPOCH);
    expect(await tc.endTxn('t', producerId, producerEpoch, true, true)).toBe(E.NONE);
    await flushPromises();
    expect(markers.written).toEqual([{ producerId, producerEpoch, commit: true, partitions: ['a-0', 'b-0'] }]);
    expect(store.states('t')).toEqual([TxnState.Empty, TxnState.Ongoing, TxnState.PrepareCommit, TxnState.CompleteCommit]);
    // A retried EndTxn(commit) is fine, an abort of a committed transaction is not.
    expect(await tc.endTxn('t', producerId, producerEpoch, true, true)).toBe(E.NONE);
    expect(await tc.endTxn('t', producerId, producerEpoch, false, true)).toBe(E.INVALID_TXN_STATE);
    expect(tc.verifyProduce('t', producerId, producerEpoch, 'a', 0)).toBe(E.INVALID_TXN_STATE);
  });

  it('answers CONCURRENT_TRANSACTIONS while the markers of a Prepare state are unresolved', async () => {
    const { producerId, producerEpoch } = await init();
    await add('t', producerId, producerEpoch, 'a');
    markers.hold = true;
    expect(await tc.endTxn('t', producerId, producerEpoch, false, true)).toBe(E.NONE);
    expect(tc.describe('t')!.state).toBe(TxnState.PrepareAbort);
    expect(await add('t', producerId, producerEpoch, 'a')).toEqual([E.CONCURRENT_TRANSACTIONS]);
    expect((await init('t')).errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    markers.release();
    await flushPromises();
    expect(tc.describe('t')!.state).toBe(TxnState.CompleteAbort);
    expect(await add('t', producerId, producerEpoch, 'a')).toEqual([E.NONE]);
  });

  it('fences the previous producer: a new InitProducerId aborts its open transaction with a bumped epoch', async () => {
    const first = await init();
    await add('t', first.producerId, first.producerEpoch, 'a');
    const second = await init();
    expect(second).toEqual({ errorCode: E.NONE, producerId: first.producerId, producerEpoch: first.producerEpoch + 2 });
    expect(markers.written).toEqual([{ producerId: first.producerId, producerEpoch: first.producerEpoch + 1, commit: false, partitions: ['a-0'] }]);
    expect(await add('t', first.producerId, first.producerEpoch, 'a')).toEqual([E.PRODUCER_FENCED]);
    expect(await tc.endTxn('t', first.producerId, first.producerEpoch, true, false)).toBe(E.INVALID_PRODUCER_EPOCH);
    // InitProducerId v3 from the fenced producer with its old epoch: fenced too (v<4 says INVALID_PRODUCER_EPOCH).
    expect((await init('t', 60_000, first.producerId, first.producerEpoch, 3)).errorCode).toBe(E.INVALID_PRODUCER_EPOCH);
  });

  it('KIP-360: the current producer recovers with its id and epoch; a retried bump returns the same epoch', async () => {
    const p = await init();
    await add('t', p.producerId, p.producerEpoch, 'a');
    const bumped = await init('t', 60_000, p.producerId, p.producerEpoch, 4);
    expect(bumped.errorCode).toBe(E.NONE);
    expect(bumped.producerId).toBe(p.producerId);
    expect(bumped.producerEpoch).toBeGreaterThan(p.producerEpoch);
    expect(markers.written.map((m) => m.commit)).toEqual([false]);
    // The same request again (its answer was lost): no new bump.
    expect(await init('t', 60_000, p.producerId, p.producerEpoch, 4)).toEqual(bumped);
    // An unknown producer id is fenced.
    expect((await init('t', 60_000, 9999, 0, 4)).errorCode).toBe(E.PRODUCER_FENCED);
  });

  it('KIP-360: a fence whose state write failed leaves the epoch as it was, so the producer retrying it recovers', async () => {
    const p = await init();
    await add('t', p.producerId, p.producerEpoch, 'a');
    // The PrepareEpochFence record is not written (e.g. the ISR of __transaction_state still waits for a dead broker).
    store.failNext = 1;
    expect((await init('t', 60_000, p.producerId, p.producerEpoch, 4)).errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(tc.describe('t')).toMatchObject({ producerEpoch: p.producerEpoch, state: TxnState.Ongoing });
    // The client retries with the same id and epoch: not fenced, the open transaction is aborted and the epoch bumped once.
    const bumped = await init('t', 60_000, p.producerId, p.producerEpoch, 4);
    expect(bumped).toEqual({ errorCode: E.NONE, producerId: p.producerId, producerEpoch: p.producerEpoch + 2 });
    expect(markers.written.map((m) => [m.commit, m.producerEpoch])).toEqual([[false, p.producerEpoch + 1]]);
  });

  it('takes a new producer id when the epoch is exhausted', async () => {
    tc.load(new Map([['t', loaded({ producerId: 7, producerEpoch: 32766, state: TxnState.CompleteCommit })]]));
    const r = await init();
    expect(r).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
    expect(tc.describe('t')!.lastProducerId).toBe(7);
  });

  it('aborts (and fences) a transaction past its timeout', async () => {
    tc.shutdown();
    tc = make({ abortTimedOutTransactionsIntervalMs: 1000 });
    tc.load(new Map());
    const p = await init('t', 5000);
    await add('t', p.producerId, p.producerEpoch, 'a');
    await clock.advance(4000);
    expect(tc.describe('t')!.state).toBe(TxnState.Ongoing);
    await clock.advance(2000);
    await flushPromises();
    expect(tc.describe('t')!.state).toBe(TxnState.CompleteAbort);
    expect(tc.describe('t')!.producerEpoch).toBe(p.producerEpoch + 1);
    expect(await tc.endTxn('t', p.producerId, p.producerEpoch, true, true)).toBe(E.PRODUCER_FENCED);
    expect(logs.some((l) => l.includes('exceeded its timeout of 5000 ms'))).toBe(true);
    // KIP-588: the producer recovers with its id and the epoch it had (the bumped one is answered, no further bump).
    expect(await init('t', 5000, p.producerId, p.producerEpoch, 4)).toEqual({ errorCode: E.NONE, producerId: p.producerId, producerEpoch: p.producerEpoch + 1 });
    // an older epoch is still fenced
    expect((await init('t', 5000, p.producerId, p.producerEpoch - 1, 4)).errorCode).toBe(E.PRODUCER_FENCED);
  });

  it('expires idle transactional ids with a tombstone', async () => {
    tc.shutdown();
    tc = make({ transactionalIdExpirationMs: 10_000, removeExpiredTransactionalIdsIntervalMs: 1000 });
    tc.load(new Map());
    await init('idle');
    await clock.advance(12_000);
    await flushPromises();
    expect(tc.describe('idle')).toBeUndefined();
    expect(store.records[store.records.length - 1]).toMatchObject({ id: 'idle', value: null });
  });

  it('resumes the markers of a transaction loaded in PrepareCommit, and keeps an open one until its timeout', async () => {
    tc.shutdown();
    tc = make({ abortTimedOutTransactionsIntervalMs: 1000 });
    const start = clock.now() - 3000;
    tc.load(
      new Map([
        ['p', loaded({ producerId: 1, producerEpoch: 3, state: TxnState.PrepareCommit, partitions: new Map([['x', new Set([0, 1])]]) })],
        ['o', loaded({ producerId: 2, producerEpoch: 0, state: TxnState.Ongoing, txnTimeoutMs: 5000, txnStartTimestamp: start, partitions: new Map([['x', new Set([0])]]) })],
      ]),
    );
    await flushPromises();
    expect(markers.written).toEqual([{ producerId: 1, producerEpoch: 3, commit: true, partitions: ['x-0', 'x-1'] }]);
    expect(tc.describe('p')!.state).toBe(TxnState.CompleteCommit);
    expect(tc.describe('o')!.state).toBe(TxnState.Ongoing);
    await clock.advance(3000);
    await flushPromises();
    expect(tc.describe('o')!.state).toBe(TxnState.CompleteAbort);
  });

  it('retries markers that could not be written and completes once they are', async () => {
    const p = await init();
    await add('t', p.producerId, p.producerEpoch, 'a');
    markers.failNext = 2;
    expect(await tc.endTxn('t', p.producerId, p.producerEpoch, true, true)).toBe(E.NONE);
    await waitUntil(() => tc.describe('t')!.state === TxnState.CompleteCommit);
    expect(markers.written).toHaveLength(1);
  });

  it('a failed state write changes nothing and answers COORDINATOR_NOT_AVAILABLE', async () => {
    const p = await init();
    store.failNext = 1;
    expect(await add('t', p.producerId, p.producerEpoch, 'a')).toEqual([E.COORDINATOR_NOT_AVAILABLE]);
    expect(tc.describe('t')!.state).toBe(TxnState.Empty);
    expect(await add('t', p.producerId, p.producerEpoch, 'a')).toEqual([E.NONE]);
  });

  it('unknown partitions fail the AddPartitions request and the others are not attempted', async () => {
    const p = await init();
    const res = await tc.addPartitions('t', p.producerId, p.producerEpoch, [{ topic: 'a', partition: 0 }, { topic: 'missing', partition: 0 }], true);
    expect(res.get(partitionErrorKey('a', 0))).toBe(E.OPERATION_NOT_ATTEMPTED);
    expect(res.get(partitionErrorKey('missing', 0))).toBe(E.UNKNOWN_TOPIC_OR_PARTITION);
    expect(tc.describe('t')!.state).toBe(TxnState.Empty);
  });

  describe('cluster mode: following __transaction_state leadership', () => {
    const prepared = (topic: string): LoadedTxn => loaded({ producerId: 7, producerEpoch: 3, state: TxnState.PrepareCommit, partitions: new Map([[topic, new Set([0, 1])]]) });

    beforeEach(() => {
      tc.shutdown();
      tc = make({ stateLogNumPartitions: 6 });
      tc.startPartitioned(6);
    });

    it('answers NOT_COORDINATOR for ids of partitions it does not lead; a newly elected leader completes the prepared transactions it loads', async () => {
      expect((await init('tx-a')).errorCode).toBe(E.NOT_COORDINATOR);
      const p = tc.partitionFor('tx-a');
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const loading = tc.loadPartition(p, async () => {
        await gate;
        return new Map([['tx-a', prepared('out')]]);
      }, 6);
      expect((await init('tx-a')).errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
      release();
      expect(await loading).toEqual({ ids: 1, prepared: 1, ongoing: 0 });
      await waitUntil(() => tc.describe('tx-a')?.state === TxnState.CompleteCommit);
      expect(markers.written).toEqual([{ producerId: 7, producerEpoch: 3, commit: true, partitions: ['out-0', 'out-1'] }]);
      expect(store.states('tx-a')).toEqual([TxnState.CompleteCommit]);
    });

    it('forgets the ids of a partition another broker took over, and stops their markers', async () => {
      const p = tc.partitionFor('tx-b');
      markers.hold = true;
      await tc.loadPartition(p, async () => new Map([['tx-b', prepared('out')]]), 6);
      expect(tc.unloadPartition(p)).toBe(1);
      expect(tc.describe('tx-b')).toBeUndefined();
      expect((await init('tx-b')).errorCode).toBe(E.NOT_COORDINATOR);
      markers.release();
      await flushPromises();
      await new Promise((r) => setTimeout(r, 50));
      // The new owner records the completion, not this broker.
      expect(store.states('tx-b')).toEqual([]);
    });
  });
});

function loaded(o: Partial<LoadedTxn>): LoadedTxn {
  return {
    producerId: 1,
    producerEpoch: 0,
    txnTimeoutMs: 60_000,
    state: TxnState.Empty,
    partitions: new Map(),
    txnLastUpdateTimestamp: 1_700_000_000_000,
    txnStartTimestamp: -1,
    ...o,
  };
}

async function waitUntil(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}
