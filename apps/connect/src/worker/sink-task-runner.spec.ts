import { RetryWithToleranceOperator, StringConverter, TransformChain, type SinkRecord, type SinkTask } from '@millrace/connect-sdk';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { SinkTaskRunner } from './sink-task-runner';

/** A kafkajs consumer stand-in: the test delivers batches through `eachBatch` and group joins through `join`. */
class FakeConsumer {
  readonly events = { GROUP_JOIN: 'consumer.group_join', REBALANCING: 'consumer.rebalancing' };
  readonly commits: string[] = [];
  readonly resolved: string[] = [];
  private readonly listeners = new Map<string, (event: unknown) => void>();
  eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  beforeRejoin: (() => Promise<void>) | undefined;
  /** The next commits that fail as a broker restarting would (a retriable GroupConsumerError). */
  failingCommits = 0;
  on(event: string, listener: (event: unknown) => void): void {
    this.listeners.set(event, listener);
  }
  join(assignment: Record<string, number[]>): void {
    this.listeners.get(this.events.GROUP_JOIN)?.({ payload: { memberAssignment: assignment } });
  }
  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async run(opts: { eachBatch: (payload: EachBatchPayload) => Promise<void>; beforeRejoin?: () => Promise<void> }): Promise<void> {
    this.eachBatch = opts.eachBatch;
    this.beforeRejoin = opts.beforeRejoin;
  }
  pause(): void {}
  resume(): void {}
  readonly seeks: string[] = [];
  seek(s: { partition: number; offset: string }): void {
    this.seeks.push(`${s.partition}@${s.offset}`);
  }
  async commitOffsets(offsets: { partition: number; offset: string }[]): Promise<void> {
    if (this.failingCommits > 0) {
      this.failingCommits--;
      throw Object.assign(new Error('connection closed'), { name: 'GroupConsumerError', retriable: true });
    }
    for (const o of offsets) this.commits.push(o.offset);
  }
  async disconnect(): Promise<void> {}
  payload(first: number, count: number): EachBatchPayload {
    const messages = Array.from({ length: count }, (_, i) => ({ offset: String(first + i), key: null, value: Buffer.from(`v${first + i}`), timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage);
    const batch = { topic: 't', partition: 0, highWatermark: String(first + count), messages, lastOffset: () => String(first + count - 1), firstOffset: () => String(first) };
    return { batch, resolveOffset: (o: string) => void this.resolved.push(o), heartbeat: async () => undefined, isRunning: () => true, isStale: () => false, pause: () => () => undefined } as unknown as EachBatchPayload;
  }
}

/** A task whose writes wait for the test to release them, recording what it saw. */
function gatedTask(stored: ReadonlyMap<string, number | null> = new Map()) {
  const log: string[] = [];
  const gates: { release: () => void; fail: (err: Error) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const task: SinkTask = {
    open: async () => undefined,
    partitionsAssigned: async () => stored,
    partitionsRevoked: async () => void log.push('revoked'),
    write: async (records: readonly SinkRecord[]) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      log.push(`write ${records[0].kafkaOffset}-${records[records.length - 1].kafkaOffset}`);
      try {
        await new Promise<void>((resolve, reject) => gates.push({ release: resolve, fail: reject }));
      } finally {
        inFlight--;
      }
    },
    flush: async () => undefined,
    teardown: async () => undefined,
  };
  return { task, log, gates, maxInFlight: () => maxInFlight };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!check()) throw new Error(`not reached: ${what}`);
}

function runner(task: SinkTask, consumer: FakeConsumer): { runner: SinkTaskRunner; states: string[] } {
  const states: string[] = [];
  const kafka = { consumer: () => consumer, admin: () => ({ connect: async () => undefined, listTopics: async () => ['t'], disconnect: async () => undefined }) } as unknown as Kafka;
  const converter = (isKey: boolean) => {
    const c = new StringConverter();
    c.configure({}, isKey);
    return c;
  };
  const r = new SinkTaskRunner({
    connector: 'c',
    id: 0,
    task,
    taskConfig: {},
    kafka,
    topics: ['t'],
    topicsRegex: '',
    keyConverter: converter(true),
    valueConverter: converter(false),
    transforms: new TransformChain<SinkRecord>([]),
    operator: new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 0, tolerance: 'none' }),
    onState: (state) => void states.push(state),
    logger: pino({ level: 'silent' }),
  });
  return { runner: r, states };
}

/** A started runner whose consumer joined the group with partition t-0. */
async function started(stored?: ReadonlyMap<string, number | null>) {
  const consumer = new FakeConsumer();
  const t = gatedTask(stored);
  const { runner: r, states } = runner(t.task, consumer);
  await r.start(false);
  await until('the consumer runs', () => consumer.eachBatch !== undefined);
  consumer.join({ t: [0] });
  return { consumer, t, runner: r, states };
}

describe('SinkTaskRunner (a batch written while the next one is fetched)', () => {
  it('hands the next batch over while one is written, keeps the task calls serial and commits each batch after its write', async () => {
    const { consumer, t, runner: r } = await started();
    // The first batch returns to the consumer (which fetches on) while its write is still in flight.
    await consumer.eachBatch!(consumer.payload(0, 3));
    expect(consumer.resolved).toEqual(['2']);
    await until('the first write', () => t.log.includes('write 0-2'));
    // The second batch waits for the first write: never two task writes at once.
    const second = consumer.eachBatch!(consumer.payload(3, 2));
    await new Promise((r2) => setTimeout(r2, 20));
    expect(t.log).toEqual(['write 0-2']);
    t.gates[0].release();
    await second;
    await until('the second write', () => t.log.includes('write 3-4'));
    expect(consumer.commits).toEqual(['3']);
    t.gates[1].release();
    await until('the second commit', () => consumer.commits.length === 2);
    expect(consumer.commits).toEqual(['3', '5']);
    expect(t.maxInFlight()).toBe(1);
    await r.stop();
  });

  it('writes no later batch once a write failed (that would leave a gap) and fails the task', async () => {
    const { consumer, t, runner: r, states } = await started();
    await consumer.eachBatch!(consumer.payload(0, 3));
    await until('the first write', () => t.gates.length === 1);
    const second = consumer.eachBatch!(consumer.payload(3, 2));
    t.gates[0].fail(new Error('constraint violated'));
    await second;
    await until('the task failed', () => states.includes('FAILED'));
    expect(t.log).toEqual(['write 0-2']);
    expect(consumer.commits).toEqual([]);
    await r.stop();
  });

  it('hands a new assignment to the task only after the write in flight ended, and commits nothing of that write to the new generation', async () => {
    const { consumer, t, runner: r } = await started();
    await consumer.eachBatch!(consumer.payload(0, 3));
    await until('the first write', () => t.gates.length === 1);
    consumer.join({});
    await new Promise((r2) => setTimeout(r2, 20));
    expect(t.log).toEqual(['write 0-2']);
    t.gates[0].release();
    await until('the partitions revoked', () => t.log.includes('revoked'));
    expect(t.log).toEqual(['write 0-2', 'revoked']);
    expect(consumer.commits).toEqual([]);
    await r.stop();
  });

  it('before the consumer rejoins (beforeRejoin), the write in flight ends and its offsets are committed under the generation being revoked', async () => {
    const { consumer, t, runner: r } = await started();
    await consumer.eachBatch!(consumer.payload(0, 3));
    await until('the first write', () => t.gates.length === 1);
    let rejoinReady = false;
    const rejoin = consumer.beforeRejoin!().then(() => {
      rejoinReady = true;
    });
    await new Promise((r2) => setTimeout(r2, 20));
    // The consumer may not send JoinGroup while the write is in flight.
    expect(rejoinReady).toBe(false);
    expect(consumer.commits).toEqual([]);
    t.gates[0].release();
    await rejoin;
    expect(consumer.commits).toEqual(['3']);
    await r.stop();
  });

  it('offsets of a flushed batch whose commit failed (broker unreachable) are committed before the rejoin, unless a later commit covered them', async () => {
    const { consumer, t, runner: r } = await started();
    consumer.failingCommits = 1;
    await consumer.eachBatch!(consumer.payload(0, 3));
    await until('the first write', () => t.gates.length === 1);
    t.gates[0].release();
    await until('the failed commit', () => consumer.failingCommits === 0);
    await consumer.beforeRejoin!();
    expect(consumer.commits).toEqual(['3']);
    // Nothing left to commit again: a second rejoin commits nothing.
    await consumer.beforeRejoin!();
    expect(consumer.commits).toEqual(['3']);
    await r.stop();
  });

  it('offsets whose commit failed are not committed after the group moved to a new generation (another member may own them)', async () => {
    const { consumer, t, runner: r } = await started();
    consumer.failingCommits = 1;
    await consumer.eachBatch!(consumer.payload(0, 3));
    await until('the first write', () => t.gates.length === 1);
    t.gates[0].release();
    await until('the failed commit', () => consumer.failingCommits === 0);
    consumer.join({ t: [0] });
    await consumer.beforeRejoin!();
    expect(consumer.commits).toEqual([]);
    await r.stop();
  });

  it('a batch that is not stale yet starts before the offset the task asked for (the seek was lost) makes the runner seek there again instead of dropping it forever', async () => {
    // The destination holds t-0 up to offset 4: the runner seeks the consumer to 5.
    const { consumer, t, runner: r } = await started(new Map([['t-0', 5]]));
    await until('the seek to the task offset', () => consumer.seeks.length === 1);
    expect(consumer.seeks).toEqual(['0@5']);
    // The consumer's position went back below 5 with no seek pending: a batch from 0 that is not stale arrives.
    await consumer.eachBatch!(consumer.payload(0, 8));
    expect(t.log).toEqual([]);
    expect(consumer.resolved).toEqual([]);
    expect(consumer.seeks).toEqual(['0@5', '0@5']);
    // From the sought offset on, batches are written.
    await consumer.eachBatch!(consumer.payload(5, 3));
    await until('the write from the task offset', () => t.log.length === 1);
    expect(t.log).toEqual(['write 5-7']);
    t.gates[0].release();
    await r.stop();
  });
});
