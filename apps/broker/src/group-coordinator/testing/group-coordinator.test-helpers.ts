import { encodeConsumerAssignment, encodeConsumerSubscription } from '@millrace/protocol';
import type { GroupLog, GroupLogRecord } from '../group-log';

/**
 * Test doubles for the group coordinator specs. Only specs import this folder.
 */

/** A GroupLog that keeps appended records in memory; can fail or hold appends on demand. */
export class FakeGroupLog implements GroupLog {
  readonly records: (GroupLogRecord & { partition: number })[] = [];
  /** Number of upcoming appends to reject. */
  failNext = 0;
  /** When true, appends wait until `release()`. */
  hold = false;
  private held: (() => void)[] = [];

  async append(partition: number, records: GroupLogRecord[]): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('append failed');
    }
    for (const r of records) this.records.push({ partition, key: r.key, value: r.value });
  }

  /** Lets held appends proceed (in call order). */
  release(): void {
    this.hold = false;
    const held = this.held;
    this.held = [];
    for (const r of held) r();
  }
}

/** ConsumerProtocol Subscription v0: topics, null user data. */
export function encodeSubscription(topics: string[]): Buffer {
  return encodeConsumerSubscription(0, { topics, userData: null });
}

/** ConsumerProtocol Assignment v0. */
export function encodeAssignment(assigned: { topic: string; partitions: number[] }[], userData: Buffer | null = null): Buffer {
  return encodeConsumerAssignment(0, { assignedPartitions: assigned, userData });
}

/** Observes a promise without awaiting it. */
export function track<T>(p: Promise<T>): { readonly done: boolean; readonly value: T } {
  const state: { done: boolean; value: T | undefined } = { done: false, value: undefined };
  void p.then((v) => {
    state.done = true;
    state.value = v;
  });
  return {
    get done() {
      return state.done;
    },
    get value(): T {
      if (!state.done) throw new Error('promise not settled yet');
      return state.value as T;
    },
  };
}
