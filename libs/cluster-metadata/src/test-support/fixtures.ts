import { randomUUID } from 'node:crypto';
import { startEtcd, type EphemeralEtcd } from '@millrace/testing';
import type { BrokerSession } from '../broker-session';
import { ClusterMetadataStore } from '../cluster-metadata-store';
import type { BrokerRegistration, PartitionState } from '../cluster-types';

export interface EtcdStoreEnv {
  /** A store on a fresh cluster name for each test. */
  store: ClusterMetadataStore;
  /** Sessions to close after each test. */
  readonly sessions: BrokerSession[];
  /** Run (and emptied) after each test, before the sessions close. */
  readonly teardown: Array<() => Promise<void>>;
}

/** Specs only: one etcd for the file, a store on its own cluster name per test, cleanup after each. */
export function useEtcdStore(): EtcdStoreEnv {
  let etcd: EphemeralEtcd;
  const env = { sessions: [], teardown: [] } as unknown as EtcdStoreEnv;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd.stop();
  });
  beforeEach(() => {
    env.store = ClusterMetadataStore.connect([etcd.endpoint], `c${randomUUID().slice(0, 8)}`);
  });
  afterEach(async () => {
    for (const t of env.teardown.splice(0)) await t();
    for (const s of env.sessions.splice(0)) await s.close();
    env.store.close();
  });
  return env;
}

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
