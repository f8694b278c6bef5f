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
  /**
   * The request's timeoutMs and its answer once that passed (e.g. ElectLeaders'
   * REQUEST_TIMED_OUT): the answer no longer waits for the controller (whose decision may
   * still take effect). Without it a forwarded request waits up to 30 s.
   */
  readonly timeout?: { readonly ms: number; readonly timedOut: () => R };
}

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
   * on the single broker `single()`. With `timeout`, `timeout.timedOut()` once its time
   * passed on the controller or while forwarding.
   */
  async route<K extends number, R>(apiKey: K, request: RequestInputOf<ApiByKey<K>>, context: { readonly apiVersion: number; readonly clientId: string | null }, routes: ControllerRoutes<R>): Promise<R | ResponseOf<ApiByKey<K>>> {
    const { timeout } = routes;
    const duty = this.local();
    if (duty) {
      const work = routes.onController(duty).catch((err: unknown) => {
        if (err instanceof ControllerFencedError) return routes.notController(STOPPED_BEING_CONTROLLER);
        throw err;
      });
      if (timeout === undefined) return await work;
      const answered = await withinTimeout(work, timeout.ms);
      return answered === TIMED_OUT ? timeout.timedOut() : answered;
    }
    if (this.clustered) {
      const forwarded = await this.forwardWithin(apiKey, context.apiVersion, request, context.clientId, timeout?.ms ?? FORWARD_TIMEOUT_MS).catch(() => null);
      if (forwarded === TIMED_OUT) return timeout !== undefined ? timeout.timedOut() : routes.notController(NO_CONTROLLER_REACHABLE);
      return forwarded ?? routes.notController(NO_CONTROLLER_REACHABLE);
    }
    return routes.single();
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
