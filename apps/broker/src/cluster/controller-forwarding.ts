import { ControllerFencedError, type ClusterController } from '@millrace/cluster-metadata';
import { KafkaConnection } from '@millrace/kafka-log';
import type { ApiByKey, RequestInputOf, ResponseOf } from '@millrace/protocol';
import { BROKER_CLIENT_ID_PREFIX } from '../metadata/cluster-topic-port';
import { ClusterMembership } from './cluster-membership';
import type { ClusterView } from './cluster-view';

const FORWARD_TIMEOUT_MS = 30_000;

/** NOT_CONTROLLER messages: the controller's duty was fenced while answering; no controller to forward to. */
export const STOPPED_BEING_CONTROLLER = 'this broker stopped being the controller; ask again';
export const NO_CONTROLLER_REACHABLE = 'no controller is reachable right now; ask again';

/** What a handler answers in each place a controller-only request can be served (`ControllerForwarding.route`). */
export interface ControllerRoutes<R> {
  /** This broker runs the controller: its answer (a ControllerFencedError means it stopped being the controller meanwhile). */
  readonly onController: (duty: ClusterController) => Promise<R>;
  /** The single broker, its own controller. */
  readonly single: () => R;
  /** The NOT_CONTROLLER answer with `message` (the client asks again). */
  readonly notController: (message: string) => R;
}

/**
 * Controller-only admin requests (ElectLeaders, Alter/ListPartitionReassignments): how a
 * handler reaches the controller. `local` is the controller's duty when this broker runs
 * it; otherwise `forward` sends the request on to the controller (as KRaft brokers
 * forward them), so a client may ask any broker. A request another broker forwarded is
 * never forwarded again (the controller moved meanwhile: the caller answers
 * NOT_CONTROLLER and the client retries). `route` is that whole choice for a handler.
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

  /**
   * Answers a controller-only request: on the controller `onController` (fenced meanwhile:
   * `notController(STOPPED_BEING_CONTROLLER)`); on another broker of a cluster the
   * controller's answer to the forwarded request (none: `notController(NO_CONTROLLER_REACHABLE)`);
   * on the single broker `single()`.
   */
  async route<K extends number, R>(apiKey: K, request: RequestInputOf<ApiByKey<K>>, context: { readonly apiVersion: number; readonly clientId: string | null }, routes: ControllerRoutes<R>): Promise<R | ResponseOf<ApiByKey<K>>> {
    const duty = this.local();
    if (duty) {
      try {
        return await routes.onController(duty);
      } catch (err) {
        if (err instanceof ControllerFencedError) return routes.notController(STOPPED_BEING_CONTROLLER);
        throw err;
      }
    }
    if (this.clustered) {
      const forwarded = await this.forward(apiKey, context.apiVersion, request, context.clientId).catch(() => null);
      return forwarded ?? routes.notController(NO_CONTROLLER_REACHABLE);
    }
    return routes.single();
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
