import type { ClusterController } from '@millrace/cluster-metadata';
import { KafkaConnection } from '@millrace/kafka-log';
import type { ApiByKey, RequestInputOf, ResponseOf } from '@millrace/protocol';
import { BROKER_CLIENT_ID_PREFIX } from '../metadata/cluster-topic-port';
import { ClusterMembership } from './cluster-membership';
import type { ClusterView } from './cluster-view';

const FORWARD_TIMEOUT_MS = 30_000;

/** What `withinTimeout` and `forwardWithin` answer when the time ran out first. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * `work`'s outcome, or TIMED_OUT once `timeoutMs` passed first (a request's timeoutMs,
 * e.g. ElectLeaders'). The work is not cancelled: a controller decision already under
 * way is still written, only the answer no longer waits for it. `onTimeout` runs when
 * the time runs out (e.g. to close a forwarding connection).
 */
export function withinTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout?: () => void): Promise<T | typeof TIMED_OUT> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      resolve(TIMED_OUT);
    }, Math.max(0, timeoutMs));
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

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
    const answer = await this.forwardWithin(apiKey, apiVersion, body, fromClientId, FORWARD_TIMEOUT_MS);
    if (answer === TIMED_OUT) throw new Error(`the controller did not answer within ${FORWARD_TIMEOUT_MS} ms`);
    return answer;
  }

  /** As `forward`, but TIMED_OUT (and the connection closed) once `timeoutMs` passed without the controller's answer. */
  async forwardWithin<K extends number>(
    apiKey: K,
    apiVersion: number,
    body: RequestInputOf<ApiByKey<K>>,
    fromClientId: string | null,
    timeoutMs: number,
  ): Promise<ResponseOf<ApiByKey<K>> | null | typeof TIMED_OUT> {
    if (!(this.view instanceof ClusterMembership) || fromClientId?.startsWith(BROKER_CLIENT_ID_PREFIX)) return null;
    const controllerId = this.view.controllerId();
    const target = this.view.liveBrokers().find((b) => b.nodeId === controllerId);
    if (!target || controllerId === this.view.nodeId) return null;
    const clientId = `${BROKER_CLIENT_ID_PREFIX}${this.view.nodeId}`;
    let conn: KafkaConnection | null = null;
    let expired = false;
    const exchange = async (): Promise<ResponseOf<ApiByKey<K>>> => {
      conn = await KafkaConnection.open(target.host, target.port, clientId, Math.max(1, Math.min(timeoutMs, FORWARD_TIMEOUT_MS)));
      if (expired) conn.close();
      return conn.send(apiKey, apiVersion, body);
    };
    try {
      return await withinTimeout(exchange(), timeoutMs, () => {
        expired = true;
        conn?.close();
      });
    } finally {
      (conn as KafkaConnection | null)?.close();
    }
  }
}
