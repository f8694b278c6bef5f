import { randomUUID } from 'node:crypto';
import type { BrokerRegistration, PartitionState } from '../cluster-types';

/** Specs only: a broker registration on 127.0.0.1:9000+id with a fresh incarnation. */
export function registration(nodeId: number): BrokerRegistration {
  return { nodeId, host: '127.0.0.1', port: 9000 + nodeId, rack: null, incarnationId: randomUUID() };
}

export function partitionState(leader: number, isr: number[], leaderEpoch = 0, partitionEpoch = 0): PartitionState {
  return { leader, leaderEpoch, isr, partitionEpoch };
}

/** Polls `f` every 100 ms until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, f: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
