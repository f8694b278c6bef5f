import { ErrorCode, WriteTxnMarkersApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import type { ClusterView } from '../cluster/cluster-view';
import { BROKER_CLIENT_ID_PREFIX } from '../metadata/cluster-topic-port';
import type { LeadershipSource } from '../partition/partition-leadership';
import type { ReplicaManager } from '../partition/replica-manager';
import type { PendingTxnOffsets } from './pending-txn-offsets';
import { appendMarker, type MarkerWriter } from './transaction-markers';

const WRITE_TXN_MARKERS_VERSION = 1;
const MARKER_TIMEOUT_MS = 10_000;

/**
 * A clustered coordinator's markers (Kafka's TransactionMarkerChannelManager): appended
 * here for the partitions this broker leads, sent with WriteTxnMarkers (27) to the
 * leader of every other partition (as the cluster metadata names it now). Any partition
 * not written (no live leader, leadership moving, the leader unreachable) fails the call;
 * the coordinator retries them all.
 */
export class ClusterMarkerWriter implements MarkerWriter {
  constructor(
    private readonly replicas: ReplicaManager,
    private readonly pendingOffsets: PendingTxnOffsets,
    private readonly leadership: LeadershipSource,
    private readonly view: ClusterView,
  ) {}

  async writeMarkers(producerId: number, producerEpoch: number, commit: boolean, partitions: { topic: string; partition: number }[]): Promise<void> {
    // The coordinator epoch is not checked by the partitions yet (a stale coordinator is fenced by its
    // `__transaction_state` writes instead: it cannot persist Complete* once it lost the leadership).
    const coordinatorEpoch = 0;
    const local: { topic: string; partition: number }[] = [];
    const remote = new Map<number, { topic: string; partition: number }[]>();
    const failed: string[] = [];
    for (const tp of partitions) {
      const state = this.leadership.leadershipOf(tp.topic, tp.partition);
      if (!state || state.leader === this.leadership.nodeId) local.push(tp);
      else if (state.leader < 0) failed.push(`${tp.topic}-${tp.partition}: no leader`);
      else remote.set(state.leader, [...(remote.get(state.leader) ?? []), tp]);
    }
    const localResults = await Promise.all(
      local.map(async (tp) => [tp, await appendMarker(this.replicas, this.pendingOffsets, { ...tp, producerId, producerEpoch, commit, coordinatorEpoch })] as const),
    );
    for (const [tp, code] of localResults) if (code !== ErrorCode.NONE && code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) failed.push(`${tp.topic}-${tp.partition}: ${ErrorCode[code]}`);
    const remoteResults = await Promise.all([...remote].map(([leader, tps]) => this.send(leader, producerId, producerEpoch, commit, coordinatorEpoch, tps)));
    failed.push(...remoteResults.flat());
    if (failed.length > 0) throw new Error(`markers not written to ${failed.join('; ')}`);
  }

  /** WriteTxnMarkers to `leader`; the partitions it did not write, as messages. */
  private async send(leader: number, producerId: number, producerEpoch: number, commit: boolean, coordinatorEpoch: number, tps: { topic: string; partition: number }[]): Promise<string[]> {
    const target = this.view.liveBrokers().find((b) => b.nodeId === leader);
    const all = (why: string): string[] => tps.map((tp) => `${tp.topic}-${tp.partition}: ${why}`);
    if (!target) return all(`leader ${leader} is not live`);
    let conn: KafkaConnection | null = null;
    try {
      conn = await KafkaConnection.open(target.host, target.port, `${BROKER_CLIENT_ID_PREFIX}${this.leadership.nodeId}`, MARKER_TIMEOUT_MS);
      const byTopic = new Map<string, number[]>();
      for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
      const r = await conn.send(WriteTxnMarkersApi.apiKey, WRITE_TXN_MARKERS_VERSION, {
        markers: [{ producerId, producerEpoch, transactionResult: commit, coordinatorEpoch, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }],
      });
      const out: string[] = [];
      for (const t of r.markers[0]?.topics ?? []) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE && p.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) out.push(`${t.name}-${p.partitionIndex}: ${ErrorCode[p.errorCode]} from broker ${leader}`);
        }
      }
      return out;
    } catch (err) {
      return all(`broker ${leader}: ${(err as Error).message}`);
    } finally {
      conn?.close();
    }
  }
}
