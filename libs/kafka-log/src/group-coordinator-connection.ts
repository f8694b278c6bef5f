import { ErrorCode, FindCoordinatorApi } from '@millrace/protocol';
import { splitHostPort } from './host-port';
import { KafkaConnection } from './kafka-connection';

/** FindCoordinator v1: the first with key_type, served by every Kafka since 0.11 and by Millrace. */
const FIND_COORDINATOR_VERSION = 1;

/**
 * A connection to the coordinator of group `groupId`, found through FindCoordinator
 * (key type 0) on the first bootstrap server that answers. Rejects with the last error
 * when none does, or when the coordinator is not available yet (the caller retries).
 */
export async function openGroupCoordinator(bootstrap: readonly string[], groupId: string, clientId: string): Promise<KafkaConnection> {
  let lastError: Error | null = null;
  for (const address of bootstrap) {
    const [host, port] = splitHostPort(address);
    let boot: KafkaConnection | null = null;
    try {
      boot = await KafkaConnection.open(host, port, clientId);
      const res = await boot.send(FindCoordinatorApi.apiKey, FIND_COORDINATOR_VERSION, { key: groupId, keyType: 0, coordinatorKeys: [] });
      if (res.errorCode !== ErrorCode.NONE) throw new Error(`FindCoordinator for group ${groupId} failed with error ${res.errorCode}${res.errorMessage ? `: ${res.errorMessage}` : ''}`);
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
