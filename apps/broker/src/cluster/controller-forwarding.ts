import type { ClusterController } from '@millrace/cluster-metadata';
import { KafkaConnection } from '@millrace/kafka-log';
import type { ApiByKey, RequestInputOf, ResponseOf } from '@millrace/protocol';
import { BROKER_CLIENT_ID_PREFIX } from '../metadata/cluster-topic-port';
import { ClusterMembership } from './cluster-membership';
import type { ClusterView } from './cluster-view';

const FORWARD_TIMEOUT_MS = 30_000;

/**
 * Controller-only admin requests (ElectLeaders, Alter/ListPartitionReassignments): how a
 * handler reaches the controller. `local` is the controller's duty when this broker runs
 * it; otherwise `forward` sends the request on to the controller (as KRaft brokers
 * forward them), so a client may ask any broker. A request another broker forwarded is
 * never forwarded again (the controller moved meanwhile: the caller answers
 * NOT_CONTROLLER and the client retries).
 */
export class ControllerForwarding {
  constructor(private readonly view: ClusterView) {}

  /** True on a clustered broker; the single broker is its own cluster and controller. */
  get clustered(): boolean {
    return this.view instanceof ClusterMembership;
  }

  local(): ClusterController | null {
    return this.view instanceof ClusterMembership ? this.view.controllerDuty() : null;
  }

  /** The controller's answer, or null when there is no controller to forward to (or the request was already forwarded). */
  async forward<K extends number>(apiKey: K, apiVersion: number, body: RequestInputOf<ApiByKey<K>>, fromClientId: string | null): Promise<ResponseOf<ApiByKey<K>> | null> {
    if (!(this.view instanceof ClusterMembership) || fromClientId?.startsWith(BROKER_CLIENT_ID_PREFIX)) return null;
    const controllerId = this.view.controllerId();
    const target = this.view.liveBrokers().find((b) => b.nodeId === controllerId);
    if (!target || controllerId === this.view.nodeId) return null;
    const conn = await KafkaConnection.open(target.host, target.port, `${BROKER_CLIENT_ID_PREFIX}${this.view.nodeId}`, FORWARD_TIMEOUT_MS);
    try {
      return await conn.send(apiKey, apiVersion, body);
    } finally {
      conn.close();
    }
  }
}
