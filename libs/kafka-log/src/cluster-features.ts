import { AddPartitionsToTxnApi, ApiVersionsApi, EndTxnApi, ErrorCode, InitProducerIdApi } from '@millrace/protocol';
import { ClusterConnections } from './cluster-connections';

/** ApiVersions v0: every broker answers it, whatever it supports. */
const API_VERSIONS_VERSION = 0;

/**
 * Whether the cluster serves Kafka transactions, as a client sees it: a broker of
 * `bootstrap` advertises InitProducerId v3+ (KIP-360 epoch recovery), AddPartitionsToTxn
 * and EndTxn in ApiVersions. Rejects when no broker answers.
 */
export async function clusterSupportsTransactions(bootstrap: readonly string[], clientId: string): Promise<boolean> {
  const cluster = new ClusterConnections(bootstrap, clientId);
  try {
    const conn = await cluster.anyConnection();
    const res = await conn.send(ApiVersionsApi.apiKey, API_VERSIONS_VERSION, {});
    if (res.errorCode !== ErrorCode.NONE) return false;
    const max = new Map(res.apiKeys.map((k) => [k.apiKey, k.maxVersion]));
    return (max.get(InitProducerIdApi.apiKey) ?? -1) >= 3 && max.has(AddPartitionsToTxnApi.apiKey) && max.has(EndTxnApi.apiKey);
  } finally {
    cluster.close();
  }
}
