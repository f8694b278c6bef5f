import type { SinkTask, TopicPartition } from '@millrace/connect-sdk';
import { SinkAssignment } from './sink-assignment';

/** A task whose destination holds offset 40 for t-0 (an exactly-once sink's stored offsets). */
function storingTask(): { task: SinkTask; log: string[] } {
  const log: string[] = [];
  const task = {
    partitionsAssigned: async (tps: readonly TopicPartition[]) => {
      log.push(`assigned ${tps.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}`);
      return new Map<string, number | null>(tps.map((tp) => [`${tp.topic}-${tp.partition}`, tp.partition === 0 ? 40 : null]));
    },
    partitionsRevoked: async (tps: readonly TopicPartition[]) => void log.push(`revoked ${tps.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}`),
  } as unknown as SinkTask;
  return { task, log };
}

describe('SinkAssignment', () => {
  it('seeks to the offsets the task returns and drops batches before them until one reaches them', async () => {
    const { task, log } = storingTask();
    const a = new SinkAssignment(task);
    const seeks: string[] = [];
    await a.update({ t: [0, 1] }, (tp, offset) => void seeks.push(`${tp.partition}@${offset}`));
    expect(log).toEqual(['assigned t-0,t-1']);
    expect(seeks).toEqual(['0@40']);
    expect(a.admits({ topic: 't', partition: 0 }, 10)).toBe(false);
    expect(a.admits({ topic: 't', partition: 1 }, 0)).toBe(true);
    expect(a.admits({ topic: 't', partition: 0 }, 40)).toBe(true);
    // Reached: later batches (also from below, after a rebalance) are the task's to filter.
    expect(a.admits({ topic: 't', partition: 0 }, 12)).toBe(true);
  });

  it('a partition kept by a new assignment before any batch reached its sought offset is sought there again (else its batches were dropped forever)', async () => {
    const { task, log } = storingTask();
    const a = new SinkAssignment(task);
    const seeks: string[] = [];
    await a.update({ t: [0, 1] }, (tp, offset) => void seeks.push(`${tp.partition}@${offset}`));
    // The group rebalanced before the consumer fetched from 40: its new generation starts t-0 from the committed offset.
    await a.update({ t: [0] }, (tp, offset) => void seeks.push(`${tp.partition}@${offset}`));
    expect(log).toEqual(['assigned t-0,t-1', 'revoked t-1']);
    expect(seeks).toEqual(['0@40', '0@40']);
    expect(a.admits({ topic: 't', partition: 0 }, 40)).toBe(true);
    // Once reached, a further rebalance seeks nothing again.
    await a.update({ t: [0] }, (tp, offset) => void seeks.push(`${tp.partition}@${offset}`));
    expect(seeks).toEqual(['0@40', '0@40']);
  });
});
