/**
 * Where a registry request that changes the store is carried out in a cluster (pure
 * decision logic; RegistryLeadership feeds it, RegistryForwardingMiddleware acts on it).
 *
 * Confluent's rule: one registry instance, the leader, is the only writer; the others
 * forward every mutating request to it. In Millrace the leader is the broker leading
 * partition 0 of the store topic (`_schemas`), so it moves with that partition.
 */

/** A mutating registry call, named as Confluent names it in its forwarding errors. */
export type RegistryWriteOperation = 'register schema' | 'delete schema version' | 'delete subject' | 'update config' | 'delete config' | 'update mode' | 'delete mode';

/**
 * The operation a request performs when it changes the store, else undefined (reads,
 * look-ups and compatibility tests are answered by every broker from its own copy).
 * `path` is the URL path without the query string, as received (segments still encoded).
 */
export function writeOperationOf(method: string, path: string): RegistryWriteOperation | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  const m = method.toUpperCase();
  const [root, , sub] = parts;
  if (root === 'subjects') {
    if (m === 'POST' && parts.length === 3 && sub === 'versions') return 'register schema';
    if (m === 'DELETE' && parts.length === 2) return 'delete subject';
    if (m === 'DELETE' && parts.length === 4 && sub === 'versions') return 'delete schema version';
    return undefined;
  }
  if ((root === 'config' || root === 'mode') && parts.length <= 2) {
    if (m === 'PUT') return root === 'config' ? 'update config' : 'update mode';
    if (m === 'DELETE') return root === 'config' ? 'delete config' : 'delete mode';
  }
  return undefined;
}

/** What a broker knows when it routes a write. */
export interface WriteRouteInput {
  /** False on the single broker (and when the store lives in another cluster): every write is local. */
  readonly clustered: boolean;
  readonly selfId: number;
  /** The store partition's recorded leader; -1 or undefined when it has none (yet). */
  readonly leaderId: number | undefined;
  /** The leader's HTTP address from its registration, when it is live and published one. */
  readonly leaderHttp: { readonly host: string; readonly port: number } | undefined;
  /** True when another broker forwarded this request (it is never forwarded a second time). */
  readonly forwarded: boolean;
}

export type WriteRoute =
  | { readonly kind: 'local' }
  | { readonly kind: 'forward'; readonly nodeId: number; readonly host: string; readonly port: number }
  | { readonly kind: 'unavailable'; readonly reason: string };

/**
 * local: single broker, or this broker leads the store partition. forward: to the
 * leader's HTTP endpoint. unavailable (the caller answers 50003; clients retry): no
 * leader right now, the leader published no HTTP port, or a forwarded request reached a
 * broker that no longer leads (leadership moved in flight: no forwarding chains).
 */
export function routeWrite(input: WriteRouteInput): WriteRoute {
  if (!input.clustered) return { kind: 'local' };
  const leader = input.leaderId;
  if (leader === undefined || leader < 0) return { kind: 'unavailable', reason: 'the schema registry has no leader right now (its store partition has no leader)' };
  if (leader === input.selfId) return { kind: 'local' };
  if (input.forwarded) return { kind: 'unavailable', reason: `broker ${input.selfId} is no longer the schema registry leader (broker ${leader} is)` };
  if (!input.leaderHttp) return { kind: 'unavailable', reason: `the schema registry leader, broker ${leader}, is not live or published no HTTP port` };
  return { kind: 'forward', nodeId: leader, host: input.leaderHttp.host, port: input.leaderHttp.port };
}

/**
 * Whether a forwarded write may be sent again (to whoever leads by then) after this
 * outcome, because it certainly wrote nothing: the connection was refused (the leader
 * is down or not listening yet), or the broker answered 50003 (it was not the leader,
 * or could not reach one itself; both are decided before any write). Anything else, a
 * timeout or a reset connection included, is answered as is: the write may have happened.
 */
export function forwardRetriable(outcome: { readonly errorCode: string } | { readonly status: number; readonly body: string }): boolean {
  if ('errorCode' in outcome) return outcome.errorCode === 'ECONNREFUSED';
  if (outcome.status !== 500) return false;
  try {
    return (JSON.parse(outcome.body) as { error_code?: unknown }).error_code === 50003;
  } catch {
    return false;
  }
}
