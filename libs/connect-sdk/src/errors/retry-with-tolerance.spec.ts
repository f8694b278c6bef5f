import { ConnectError, DataError, RetriableError, ToleranceExceededError } from './connect-errors';
import type { ErrorReporter } from './error-reporter';
import type { ProcessingContext } from './processing-context';
import { ProcessingContext as Ctx } from './processing-context';
import { RetryWithToleranceOperator, ToleratedFailure, isToleratedFailure, type RetryWithToleranceOptions } from './retry-with-tolerance';

/** A fake clock whose sleep advances time instantly and records each delay. */
function fakeTime(): { clock: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

function consumed(): ProcessingContext {
  return Ctx.forConsumed({ topic: 't', partition: 0, offset: 7, timestamp: null, key: null, value: Buffer.from('x'), headers: [] });
}

function operator(options: Partial<RetryWithToleranceOptions>, time = fakeTime()) {
  const reported: ProcessingContext[] = [];
  const reporter: ErrorReporter = { report: async (c) => void reported.push(c) };
  const op = new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 60000, tolerance: 'all', reporters: [reporter], clock: time.clock, sleep: time.sleep, random: () => 0.5, ...options });
  return { op, reported, time };
}

/** An operation failing `failures` times with `make()` then returning 'ok'. */
function flaky(failures: number, make: () => Error) {
  let calls = 0;
  const fn = async () => {
    calls++;
    if (calls <= failures) throw make();
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('RetryWithToleranceOperator', () => {
  it('returns the result of a successful operation', async () => {
    const { op, reported } = operator({});
    const ctx = consumed();
    await expect(op.execute('VALUE_CONVERTER', () => 42, ctx)).resolves.toBe(42);
    expect(ctx.failed).toBe(false);
    expect(ctx.attempt).toBe(1);
    expect(reported).toHaveLength(0);
  });

  it('tolerance=none: a conversion failure throws ToleranceExceededError with the cause, no retry, no report', async () => {
    const { op, reported, time } = operator({ tolerance: 'none', retryTimeoutMs: 10000 });
    const cause = new DataError('bad bytes');
    const { fn, calls } = flaky(5, () => cause);
    const ctx = consumed();
    const p = op.execute('VALUE_CONVERTER', fn, ctx);
    await expect(p).rejects.toBeInstanceOf(ToleranceExceededError);
    await expect(p).rejects.toMatchObject({ message: 'Tolerance exceeded in error handler', cause });
    expect(calls()).toBe(1);
    expect(time.sleeps).toEqual([]);
    expect(reported).toHaveLength(0);
    expect(ctx.error).toBe(cause);
  });

  it('tolerance=all: a transformation failure is reported and returned as { failed: true, error }', async () => {
    const { op, reported } = operator({ tolerance: 'all' });
    const ctx = consumed();
    const err = new DataError('no field');
    const result = await op.execute('TRANSFORMATION', () => { throw err; }, ctx, 'org.apache.kafka.connect.transforms.InsertField$Value');
    expect(isToleratedFailure(result)).toBe(true);
    expect(result).toMatchObject({ failed: true, error: err });
    expect(reported).toEqual([ctx]);
    expect(ctx.stage).toBe('TRANSFORMATION');
    expect(ctx.executingClass).toBe('org.apache.kafka.connect.transforms.InsertField$Value');
    expect(op.totalFailures).toBe(1);
    expect(op.totalSkipped).toBe(1);
  });

  it('does not run operations on an already failed context (the record is being skipped)', async () => {
    const { op, reported } = operator({ tolerance: 'all' });
    const ctx = consumed();
    await op.execute('KEY_CONVERTER', () => { throw new DataError('k'); }, ctx);
    const second = jest.fn(() => 1);
    const result = await op.execute('VALUE_CONVERTER', second, ctx);
    expect(second).not.toHaveBeenCalled();
    expect(result).toBeInstanceOf(ToleratedFailure);
    expect(reported).toHaveLength(1);
  });

  it('retries a retriable error with exponential backoff until it succeeds', async () => {
    const { op, time } = operator({ retryTimeoutMs: 10_000 });
    const { fn, calls } = flaky(3, () => new RetriableError('busy'));
    const ctx = consumed();
    await expect(op.execute('KAFKA_PRODUCE', fn, ctx)).resolves.toBe('ok');
    expect(calls()).toBe(4);
    expect(time.sleeps).toEqual([300, 600, 1200]);
    expect(ctx.attempt).toBe(4);
    expect(op.totalRetries).toBe(3);
  });

  it('treats errors with retriable=true (kafkajs) as retriable', async () => {
    const { op, time } = operator({ retryTimeoutMs: 10_000 });
    const { fn } = flaky(1, () => Object.assign(new Error('leader not available'), { retriable: true }));
    await expect(op.execute('KAFKA_PRODUCE', fn, consumed())).resolves.toBe('ok');
    expect(time.sleeps).toEqual([300]);
  });

  it('errors.retry.timeout=0 does not retry', async () => {
    const { op, time } = operator({ retryTimeoutMs: 0, tolerance: 'all' });
    const { fn, calls } = flaky(1, () => new RetriableError('busy'));
    const result = await op.execute('TASK_PUT', fn, consumed());
    expect(calls()).toBe(1);
    expect(time.sleeps).toEqual([]);
    expect(result).toBeInstanceOf(ToleratedFailure);
  });

  it('cuts the last delay to the deadline and gives up at it', async () => {
    const { op, time } = operator({ retryTimeoutMs: 1000, tolerance: 'none' });
    const { fn, calls } = flaky(100, () => new RetriableError('down'));
    await expect(op.execute('KAFKA_PRODUCE', fn, consumed())).rejects.toBeInstanceOf(ToleranceExceededError);
    // 300 + 600 = 900; the next would be 1200 but only 100 ms remain.
    expect(time.sleeps).toEqual([300, 600, 100]);
    expect(calls()).toBe(4);
  });

  it('caps the backoff at errors.retry.delay.max.ms with a random delay below the cap', async () => {
    const { op, time } = operator({ retryTimeoutMs: -1, retryDelayMaxMs: 1000 });
    const { fn } = flaky(5, () => new RetriableError('x'));
    await expect(op.execute('KAFKA_PRODUCE', fn, consumed())).resolves.toBe('ok');
    expect(time.sleeps).toEqual([300, 600, 500, 500, 500]);
  });

  it('errors.retry.timeout=-1 retries forever (until stopped)', async () => {
    const time = fakeTime();
    const { op } = operator({ retryTimeoutMs: -1, retryDelayMaxMs: 60_000, tolerance: 'none' }, time);
    let calls = 0;
    const fn = async () => {
      calls++;
      if (calls === 50) op.stop();
      throw new RetriableError('forever');
    };
    await expect(op.execute('KAFKA_PRODUCE', fn, consumed())).rejects.toBeInstanceOf(ToleranceExceededError);
    expect(calls).toBe(50);
  });

  it('in a non-converter stage, a non-retriable error is not tolerated even with tolerance=all', async () => {
    const { op, reported } = operator({ tolerance: 'all', retryTimeoutMs: 5000 });
    const cause = new Error('constraint violation');
    const p = op.execute('TASK_PUT', () => { throw cause; }, consumed());
    await expect(p).rejects.toBeInstanceOf(ConnectError);
    await expect(p).rejects.toMatchObject({ message: 'Unhandled exception in error handler', cause });
    expect(reported).toHaveLength(0);
  });

  it('in a non-converter stage, a retriable error is tolerated once retries are exhausted', async () => {
    const { op, reported, time } = operator({ tolerance: 'all', retryTimeoutMs: 500 });
    const result = await op.execute('KAFKA_PRODUCE', () => { throw new RetriableError('timeout'); }, consumed());
    expect(result).toBeInstanceOf(ToleratedFailure);
    expect(time.sleeps).toEqual([300, 200]);
    expect(reported).toHaveLength(1);
  });

  it('wraps non-Error throws', async () => {
    const { op } = operator({ tolerance: 'all' });
    const result = await op.execute('TRANSFORMATION', () => { throw 'boom'; }, consumed());
    expect(isToleratedFailure(result) && result.error.message).toBe('boom');
  });

  it('a failing reporter rejects the operation (no silent loss)', async () => {
    const op = new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 1, tolerance: 'all', reporters: [{ report: () => Promise.reject(new Error('dlq down')) }] });
    await expect(op.execute('VALUE_CONVERTER', () => { throw new DataError('x'); }, consumed())).rejects.toThrow('dlq down');
  });

  it('fromConfig takes the errors.* values', async () => {
    const time = fakeTime();
    const op = RetryWithToleranceOperator.fromConfig(
      { retryTimeoutMs: 700, retryDelayMaxMs: 60000, tolerance: 'none', logEnable: false, logIncludeMessages: false, deadLetterQueueTopic: '', deadLetterQueueReplicationFactor: 3, deadLetterQueueContextHeaders: false },
      { clock: time.clock, sleep: time.sleep },
    );
    await expect(op.execute('KAFKA_PRODUCE', () => { throw new RetriableError('x'); }, Ctx.detached())).rejects.toBeInstanceOf(ToleranceExceededError);
    expect(time.sleeps).toEqual([300, 400]);
  });
});
