import { EventEmitter } from 'node:events';
import type { Etcd3, Lease } from 'etcd3';
import type { BrokerRegistration } from './cluster-types';
import type { ClusterKeys } from './key-layout';

/**
 * A broker's membership in the cluster: one etcd lease (kept alive by the etcd3 client)
 * holding the broker's registration key and, while it is the controller, the controller
 * claim. When the broker dies or freezes past the TTL, etcd deletes both keys: the other
 * brokers and the controller see it leave.
 *
 * Events: 'lost' (err) — the lease expired or could not be kept alive (e.g. the process
 * was frozen past its TTL): everything held under it is gone and the broker must stop
 * acting as a member (and as controller) until it registers again.
 */
export class BrokerSession extends EventEmitter {
  private constructor(
    readonly registration: BrokerRegistration,
    readonly lease: Lease,
    readonly leaseId: string,
  ) {
    super();
    lease.on('lost', (err) => this.emit('lost', err));
  }

  /**
   * Grants a lease of `ttlSeconds` and puts the registration under it. Fails with a clear
   * error when another live broker holds the same node id.
   */
  static async register(client: Etcd3, keys: ClusterKeys, registration: BrokerRegistration, ttlSeconds: number): Promise<BrokerSession> {
    const lease = client.lease(ttlSeconds, { autoKeepAlive: true });
    const leaseId = await lease.grant();
    const key = keys.broker(registration.nodeId);
    const res = await client
      .if(key, 'Create', '==', 0)
      .then(client.put(key).value(JSON.stringify(registration)).lease(leaseId))
      .commit();
    if (!res.succeeded) {
      await lease.revoke().catch(() => undefined);
      throw new Error(
        `node id ${registration.nodeId} is already registered in cluster '${keys.clusterId}' by a live broker; give this broker another MILLRACE_NODE_ID (or wait ${ttlSeconds} s for a dead one's lease to expire)`,
      );
    }
    return new BrokerSession(registration, lease, leaseId);
  }

  /** Leaves the cluster now (controlled shutdown): the registration and any controller claim go. */
  async close(): Promise<void> {
    this.removeAllListeners('lost');
    await this.lease.revoke().catch(() => undefined);
  }
}
