import { ErrorCode, FindCoordinatorApi, errorName } from '@millrace/protocol';
import { splitHostPort } from './host-port';
import { KafkaConnection } from './kafka-connection';

/** FindCoordinator v1: the first with key_type, served by every Kafka since 0.11 and by Millrace. */
const FIND_COORDINATOR_VERSION = 1;

/** FindCoordinator key types: a consumer/connect group, or a transactional id. */
export type CoordinatorKeyType = 'group' | 'transaction';

/**
 * A connection to the coordinator of group `groupId`, found through FindCoordinator
 * (key type 0) on the first bootstrap server that answers. Rejects with the last error
 * when none does, or when the coordinator is not available yet (the caller retries).
 */
export function openGroupCoordinator(bootstrap: readonly string[], groupId: string, clientId: string): Promise<KafkaConnection> {
  return openCoordinator(bootstrap, 'group', groupId, clientId);
}

/**
 * A connection to the coordinator of `key` (a group id, or a transactional id for key
 * type 'transaction'), as openGroupCoordinator.
 */
export async function openCoordinator(bootstrap: readonly string[], type: CoordinatorKeyType, key: string, clientId: string): Promise<KafkaConnection> {
  const keyType = type === 'group' ? 0 : 1;
  let lastError: Error | null = null;
  for (const address of bootstrap) {
    const [host, port] = splitHostPort(address);
    let boot: KafkaConnection | null = null;
    try {
      boot = await KafkaConnection.open(host, port, clientId);
      const res = await boot.send(FindCoordinatorApi.apiKey, FIND_COORDINATOR_VERSION, { key, keyType, coordinatorKeys: [] });
      if (res.errorCode !== ErrorCode.NONE) throw new CoordinatorError(`FindCoordinator for ${type} ${key} failed with ${errorName(res.errorCode)}${res.errorMessage ? `: ${res.errorMessage}` : ''}`, res.errorCode);
      if (res.host === host && res.port === port) {
        const conn = boot;
        boot = null;
        return conn;
      }
      return await KafkaConnection.open(res.host, res.port, clientId);
    } catch (err) {
      lastError = err as Error;
    } finally {
      boot?.close();
    }
  }
  throw lastError ?? new Error('no bootstrap servers');
}

/** A coordinator answered an error code (retriable ones: COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS). */
export class CoordinatorError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'CoordinatorError';
  }
}
