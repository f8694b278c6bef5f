import { ErrorCode, MetadataApi } from '@millrace/protocol';
import { splitHostPort } from '../host-port';
import { KafkaConnection } from '../kafka-connection';
import { GroupConsumerError } from './group-consumer-types';
import { DEFAULT_REQUEST_TIMEOUT_MS, withRequestTimeout } from './request-timeout';

/** A connection to a broker as the routes use it (a KafkaConnection; a fake in unit tests). */
export type BrokerLink = Pick<KafkaConnection, 'send' | 'close' | 'alive'>;
/** Opens a connection to broker `host:port` (KafkaConnection.open). */
export type OpenBroker = (host: string, port: number, clientId: string) => Promise<BrokerLink>;

/** Metadata v1: topic names, leaders and brokers (served by every Kafka since 0.10 and by Millrace). */
const METADATA_VERSION = 1;

/**
 * Where a group consumer's partitions live: the leader of each `topic-partition` (from
 * Metadata asked of the first bootstrap server that answers), the brokers' addresses,
 * and one open connection per leader, reopened when it died. `forget` drops a partition
 * whose leader moved (NOT_LEADER_OR_FOLLOWER and the like), so the next `load` asks again.
 */
export class LeaderRoutes {
  private leaders = new Map<string, number>();
  private brokers = new Map<number, { host: string; port: number }>();
  private readonly connections = new Map<number, BrokerLink>();

  constructor(
    private readonly bootstrap: readonly string[],
    private readonly clientId: string,
    private readonly open: OpenBroker = (host, port, clientId) => KafkaConnection.open(host, port, clientId),
    private readonly requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {}

  /** The leader's node id of `key` (`topic-partition`), if known. */
  leaderOf(key: string): number | undefined {
    return this.leaders.get(key);
  }

  has(key: string): boolean {
    return this.leaders.has(key);
  }

  forget(key: string): void {
    this.leaders.delete(key);
  }

  /** Asks the leaders of every partition of `topics` again. */
  async load(topics: readonly string[]): Promise<void> {
    const md = await this.metadata(topics);
    this.brokers = new Map(md.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    this.leaders = new Map();
    for (const t of md.topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE && p.leaderId >= 0) this.leaders.set(`${t.name ?? ''}-${p.partitionIndex}`, p.leaderId);
  }

  /** Partition count of each of `topics` that exists (the assignor's input). */
  async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    const md = await this.metadata(topics);
    const out = new Map<string, number>();
    for (const t of md.topics) if (t.errorCode === ErrorCode.NONE && t.name !== null && t.partitions.length > 0) out.set(t.name, t.partitions.length);
    return out;
  }

  /** The open connection to broker `nodeId`, opened (or reopened) on demand. */
  async connection(nodeId: number): Promise<BrokerLink> {
    const open = this.connections.get(nodeId);
    if (open?.alive) return open;
    const broker = this.brokers.get(nodeId);
    if (!broker) throw new GroupConsumerError(`broker ${nodeId} is not in the metadata`);
    const conn = await this.open(broker.host, broker.port, this.clientId);
    this.connections.set(nodeId, conn);
    return conn;
  }

  /** Closes every leader connection; with `forgetLeaders`, the leaders are asked again before the next fetch. */
  close(forgetLeaders = false): void {
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
    if (forgetLeaders) this.leaders.clear();
  }

  private async metadata(topics: readonly string[]) {
    let lastError: unknown = new Error('no bootstrap servers');
    for (const address of this.bootstrap) {
      const [host, port] = splitHostPort(address);
      let conn: BrokerLink | null = null;
      try {
        conn = await this.open(host, port, this.clientId);
        const link = conn;
        return await withRequestTimeout(link.send(MetadataApi.apiKey, METADATA_VERSION, { topics: topics.map((name) => ({ name })) }), this.requestTimeoutMs, `Metadata from ${address}`, () => link.close());
      } catch (err) {
        lastError = err;
      } finally {
        conn?.close();
      }
    }
    throw lastError;
  }
}
