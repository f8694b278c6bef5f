import { ErrorCode, MetadataApi } from '@millrace/protocol';
import { KafkaConnection } from './kafka-connection';
import { splitHostPort } from './host-port';

const METADATA_VERSION = 1;

interface BrokerAddress {
  host: string;
  port: number;
}

/**
 * The connections a client keeps to a cluster: one per broker node, opened on demand
 * from the addresses the last Metadata answer gave, and a partition → leader map per
 * topic, learned through Metadata on any bootstrap broker or known node.
 *
 * Contracts:
 * - `leaderOf(topic, partition)` answers from the cached map; it fetches Metadata for
 *   the topic when the topic is unknown or after `invalidate(topic)`; it throws when the
 *   topic or partition has no leader (the caller retries with backoff), and then forgets
 *   the topic's map, so the retry asks Metadata again (a leader elected meanwhile is found).
 * - `connection(nodeId)` returns a live connection to the node, replacing a dead one.
 * - Nothing here retries; `close()` closes every connection.
 */
export class ClusterConnections {
  private readonly nodes = new Map<number, BrokerAddress>();
  private readonly connections = new Map<number, Promise<KafkaConnection>>();
  private readonly leaders = new Map<string, Map<number, number>>();

  constructor(
    private readonly bootstrap: readonly string[],
    private readonly clientId: string,
  ) {}

  async leaderOf(topic: string, partition: number): Promise<number> {
    let map = this.leaders.get(topic);
    if (!map) {
      await this.refresh(topic);
      map = this.leaders.get(topic);
    }
    const leader = map?.get(partition);
    if (leader === undefined || leader < 0) {
      // an election is under way: ask Metadata again on the next call, not the cached map
      this.leaders.delete(topic);
      throw new Error(`no leader for ${topic}-${partition}`);
    }
    return leader;
  }

  /**
   * How many partitions `topic` has, from the cached map (Metadata when unknown; the
   * Metadata request auto-creates the topic where the cluster allows it). Throws while
   * the topic has no partitions or is not there (the caller retries with backoff).
   */
  async partitionCount(topic: string): Promise<number> {
    if (!this.leaders.has(topic)) await this.refresh(topic);
    const count = this.leaders.get(topic)?.size ?? 0;
    if (count === 0) throw new Error(`topic ${topic} has no partitions yet`);
    return count;
  }

  /** A live connection to some broker of the cluster (for requests any broker answers). */
  async anyConnection(): Promise<KafkaConnection> {
    if (this.nodes.size === 0) await this.refresh(null);
    const [nodeId] = this.nodes.keys();
    if (nodeId === undefined) throw new Error('the cluster reported no brokers');
    return this.connection(nodeId);
  }

  invalidate(topic: string): void {
    this.leaders.delete(topic);
  }

  async connection(nodeId: number): Promise<KafkaConnection> {
    const existing = this.connections.get(nodeId);
    if (existing) {
      const conn = await existing.catch(() => null);
      if (conn?.alive) return conn;
      if (this.connections.get(nodeId) === existing) this.connections.delete(nodeId);
      else return this.connection(nodeId);
    }
    const address = this.nodes.get(nodeId);
    if (!address) throw new Error(`broker node ${nodeId} is unknown`);
    const opening = KafkaConnection.open(address.host, address.port, this.clientId);
    this.connections.set(nodeId, opening);
    return opening;
  }

  close(): void {
    for (const c of this.connections.values()) c.then((conn) => conn.close(), () => undefined);
    this.connections.clear();
  }

  /** Learns the broker list, and the leaders of `topic` when given. */
  private async refresh(topic: string | null): Promise<void> {
    let lastError: Error | null = null;
    for (const address of this.candidates()) {
      let conn: KafkaConnection | null = null;
      try {
        conn = await KafkaConnection.open(address.host, address.port, this.clientId);
        const md = await conn.send(MetadataApi.apiKey, METADATA_VERSION, { topics: topic === null ? [] : [{ name: topic }] });
        for (const b of md.brokers) this.nodes.set(b.nodeId, { host: b.host, port: b.port });
        if (topic === null) return;
        const t = md.topics.find((x) => x.name === topic);
        if (!t || t.errorCode !== ErrorCode.NONE) throw new Error(`metadata for ${topic} failed with error ${t?.errorCode ?? 'missing topic'}`);
        const map = new Map<number, number>();
        for (const p of t.partitions) map.set(p.partitionIndex, p.errorCode === ErrorCode.NONE ? p.leaderId : -1);
        this.leaders.set(topic, map);
        return;
      } catch (err) {
        lastError = err as Error;
      } finally {
        conn?.close();
      }
    }
    throw lastError ?? new Error('no bootstrap servers');
  }

  /** Known nodes first (the cluster may have moved on from the bootstrap list), then the bootstrap list. */
  private candidates(): BrokerAddress[] {
    const out = [...this.nodes.values()];
    for (const address of this.bootstrap) {
      const [host, port] = splitHostPort(address);
      out.push({ host, port });
    }
    return out;
  }
}
