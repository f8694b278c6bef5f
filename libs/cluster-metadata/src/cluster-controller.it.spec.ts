import { ClusterController, type ClusterMetadataStore } from './index';
import { partitionState as state, registration as reg, useEtcdStore, waitFor as until } from './test-support/fixtures';

jest.setTimeout(60_000);

describe('ClusterController (real etcd)', () => {
  const env = useEtcdStore();
  const sessions = env.sessions;
  let store: ClusterMetadataStore;
  beforeEach(() => {
    store = env.store;
  });

  const leaders = async (topic: string, n: number): Promise<string> => {
    const out: string[] = [];
    for (let p = 0; p < n; p++) {
      const s = (await store.getPartition(topic, p))!.state;
      out.push(`${s.leader}@${s.leaderEpoch}[${s.isr.join(',')}]`);
    }
    return out.join(' ');
  };

  it('moves leadership off a dead broker within the ISR, takes a partition offline rather than electing an out-of-sync replica, and brings it back with its last ISR member', async () => {
    const [b1, b2, b3] = [await store.registerBroker(reg(1), 2), await store.registerBroker(reg(2), 2), await store.registerBroker(reg(3), 2)];
    sessions.push(b1, b2, b3);
    const info = (await store.tryClaimController(b1))!;
    await store.createTopic(info, 'orders', { topicId: 'o', replicas: [[2, 3, 1], [3, 1, 2], [2, 3]] }, [state(2, [2, 3, 1]), state(3, [3, 1, 2]), state(2, [2])]);
    const logged: string[] = [];
    const controller = new ClusterController(store, info, { logger: { info: (m) => logged.push(m), warn: (m) => logged.push(m) } });
    env.teardown.push(() => controller.stop());
    await controller.start();
    await controller.idle();
    expect(await leaders('orders', 3)).toBe('2@0[2,3,1] 3@0[3,1,2] 2@0[2]');

    b2.lease.release(); // broker 2 dies
    await until('leadership to move off broker 2', async () => (await leaders('orders', 3)) === '3@1[3,1] 3@0[3,1] -1@0[2]');
    expect(logged.some((m) => /orders-2: offline \(no live in-sync replica\)/.test(m))).toBe(true);

    const b2again = await store.registerBroker(reg(2), 2); // broker 2 returns
    sessions.push(b2again);
    await until('broker 2 to lead its offline partition again', async () => (await leaders('orders', 3)) === '3@1[3,1] 3@0[3,1] 2@1[2]');
  });

  it('stops when a newer controller has been elected', async () => {
    const b1 = await store.registerBroker(reg(1), 2);
    const b2 = await store.registerBroker(reg(2), 2);
    sessions.push(b1, b2);
    const old = (await store.tryClaimController(b1))!;
    await store.createTopic(old, 't', { topicId: 't', replicas: [[1, 2]] }, [state(1, [1, 2])]);
    b1.lease.release();
    const fresh = await until('broker 2 to become controller', () => store.tryClaimController(b2));
    let fenced = false;
    const stale = new ClusterController(store, old, { logger: { info: () => undefined, warn: () => undefined }, onFenced: () => (fenced = true) });
    env.teardown.push(() => stale.stop());
    await stale.start();
    await until('the stale controller to notice', async () => fenced);
    // Its decision (broker 1 is dead, so broker 2 leads) was not written by it.
    expect((await store.getPartition('t', 0))!.state).toEqual(state(1, [1, 2]));
    const current = new ClusterController(store, fresh, { logger: { info: () => undefined, warn: () => undefined } });
    env.teardown.push(() => current.stop());
    await current.start();
    await until('the current controller to move leadership', async () => (await store.getPartition('t', 0))!.state.leader === 2);
  });
});
