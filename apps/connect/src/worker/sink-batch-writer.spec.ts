import { RetriableError, RetryWithToleranceOperator, StringConverter, TransformChain, type SinkRecord, type SinkTask } from '@millrace/connect-sdk';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { CONVERT_AHEAD, CONVERT_SLICE, SinkBatchWriter } from './sink-batch-writer';
import { SinkRecordConversion } from './sink-record-conversion';

/** What the fake task and consumer saw, in order. */
type Event = { kind: 'write'; offsets: number[] } | { kind: 'write-done' } | { kind: 'flush' } | { kind: 'commit'; offset: string };

function message(offset: number): KafkaMessage {
  return { offset: String(offset), key: null, value: Buffer.from(`v${offset}`), timestamp: '0', attributes: 0, headers: {} } as KafkaMessage;
}

function payload(count: number, first = 0): EachBatchPayload {
  const messages = Array.from({ length: count }, (_, i) => message(first + i));
  const batch = {
    topic: 't',
    partition: 0,
    highWatermark: String(first + count),
    messages,
    lastOffset: () => String(first + count - 1),
    firstOffset: () => String(first),
  };
  return { batch, resolveOffset: () => undefined, heartbeat: async () => undefined, isRunning: () => true, isStale: () => false } as unknown as EachBatchPayload;
}

function conversion(failAt?: number): SinkRecordConversion {
  const value = new StringConverter();
  value.configure({}, false);
  const key = new StringConverter();
  key.configure({}, true);
  const valueConverter =
    failAt === undefined
      ? value
      : Object.assign(Object.create(value) as StringConverter, {
          toConnectDataSync: undefined,
          toConnectData: async (topic: string, data: Buffer | null) => {
            if (data?.toString() === `v${failAt}`) throw new Error(`cannot convert v${failAt}`);
            return value.toConnectData(topic, data);
          },
        });
  return new SinkRecordConversion({
    keyConverter: key,
    valueConverter,
    transforms: new TransformChain<SinkRecord>([]),
    operator: new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 0, tolerance: 'none' }),
  });
}

/** A task whose writes take `writeMs` (a timer: the event loop runs meanwhile), recording every call. */
function fakeTask(events: Event[], opts: { writeMs?: number; failWrite?: (n: number) => Error | undefined } = {}): SinkTask & { inFlight: number; maxInFlight: number } {
  let writes = 0;
  const task = {
    inFlight: 0,
    maxInFlight: 0,
    open: async () => undefined,
    partitionsAssigned: async () => new Map<string, number | null>(),
    partitionsRevoked: async () => undefined,
    write: async (records: readonly SinkRecord[]) => {
      task.inFlight++;
      task.maxInFlight = Math.max(task.maxInFlight, task.inFlight);
      events.push({ kind: 'write', offsets: records.map((r) => r.kafkaOffset) });
      try {
        await new Promise((resolve) => setTimeout(resolve, opts.writeMs ?? 5));
        const err = opts.failWrite?.(++writes);
        if (err) throw err;
        events.push({ kind: 'write-done' });
      } finally {
        task.inFlight--;
      }
    },
    flush: async () => {
      if (task.inFlight > 0) throw new Error('flush while a write is in flight');
      events.push({ kind: 'flush' });
    },
    teardown: async () => undefined,
  };
  return task;
}

function writer(task: SinkTask, events: Event[], conv = conversion()): SinkBatchWriter {
  const consumer = { commitOffsets: async ([o]: { offset: string }[]) => void events.push({ kind: 'commit', offset: o.offset }) } as unknown as Consumer;
  return new SinkBatchWriter({ task, conversion: conv, logger: pino({ level: 'silent' }), consumer: () => consumer, ending: () => false });
}

describe('SinkBatchWriter (conversion pipelined with the task writes)', () => {
  it('writes every record once, in offset order, one write at a time, flushes after the last write and commits only after the flush', async () => {
    const events: Event[] = [];
    const task = fakeTask(events, { writeMs: 3 });
    const count = CONVERT_SLICE * 7 + 123;
    await writer(task, events).write(payload(count, 100));
    const written = events.flatMap((e) => (e.kind === 'write' ? e.offsets : []));
    expect(written).toEqual(Array.from({ length: count }, (_, i) => 100 + i));
    expect(task.maxInFlight).toBe(1);
    // Several writes: conversion went on while earlier writes were in flight.
    expect(events.filter((e) => e.kind === 'write').length).toBeGreaterThan(1);
    expect(events.slice(-2)).toEqual([{ kind: 'flush' }, { kind: 'commit', offset: String(100 + count) }]);
    expect(events.filter((e) => e.kind === 'write-done').length).toBe(events.filter((e) => e.kind === 'write').length);
  });

  it('converts at most CONVERT_AHEAD records ahead of a slow write (memory stays bounded on a big batch)', async () => {
    const events: Event[] = [];
    const task = fakeTask(events, { writeMs: 40 });
    const count = CONVERT_AHEAD * 4;
    await writer(task, events).write(payload(count));
    const writes = events.filter((e): e is Extract<Event, { kind: 'write' }> => e.kind === 'write');
    expect(writes.flatMap((w) => w.offsets)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(Math.max(...writes.map((w) => w.offsets.length))).toBeLessThanOrEqual(CONVERT_AHEAD + CONVERT_SLICE);
    expect(task.maxInFlight).toBe(1);
  });

  it('a batch smaller than a slice is one write', async () => {
    const events: Event[] = [];
    await writer(fakeTask(events), events).write(payload(10));
    expect(events.map((e) => e.kind)).toEqual(['write', 'write-done', 'flush', 'commit']);
  });

  it('a failing write stops the batch: no further write, no flush, no commit, the error is thrown', async () => {
    const events: Event[] = [];
    const task = fakeTask(events, { writeMs: 20, failWrite: (n) => (n === 1 ? new Error('constraint violated') : undefined) });
    await expect(writer(task, events).write(payload(CONVERT_SLICE * 5))).rejects.toThrow('constraint violated');
    expect(events.filter((e) => e.kind === 'write')).toHaveLength(1);
    expect(events.some((e) => e.kind === 'flush' || e.kind === 'commit')).toBe(false);
  });

  it('a record that cannot be converted fails the batch only after the write in flight finished, and nothing is committed', async () => {
    const events: Event[] = [];
    const task = fakeTask(events, { writeMs: 30 });
    const failAt = CONVERT_SLICE + 5;
    await expect(writer(task, events, conversion(failAt)).write(payload(CONVERT_SLICE * 3))).rejects.toThrow("Tolerance exceeded");
    expect(task.inFlight).toBe(0);
    expect(events.map((e) => e.kind)).toEqual(['write', 'write-done']);
    expect((events[0] as { offsets: number[] }).offsets).toEqual(Array.from({ length: CONVERT_SLICE }, (_, i) => i));
  });

  it('a retriable write failure is retried with the same records and the batch completes', async () => {
    const events: Event[] = [];
    const task = fakeTask(events, { writeMs: 1, failWrite: (n) => (n === 1 ? new RetriableError('connection lost') : undefined) });
    await writer(task, events).write(payload(50));
    const writes = events.filter((e): e is Extract<Event, { kind: 'write' }> => e.kind === 'write');
    expect(writes).toHaveLength(2);
    expect(writes[1].offsets).toEqual(writes[0].offsets);
    expect(events.slice(-2)).toEqual([{ kind: 'flush' }, { kind: 'commit', offset: '50' }]);
  }, 10_000);
});
