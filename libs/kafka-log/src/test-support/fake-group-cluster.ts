import {
  buildBatch,
  encodeConsumerSubscription,
  ErrorCode,
  FetchApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  SyncGroupApi,
} from '@millrace/protocol';
import type { CoordinatorLink } from '../group-consumer/group-membership';
import type { BrokerLink } from '../group-consumer/leader-routes';

type Body = Record<string, unknown>;
type FetchPartition = { partition: number; fetchOffset: number };

/**
 * Test helper: one in-memory broker (node 1) that is the leader of every partition and
 * the coordinator of a one-member group, speaking through the GroupConsumer's
 * `openCoordinator` / `openBroker` seams. Partitions hold values at offsets
 * `logStart`..; the group follows Kafka's rules that matter to a member: a heartbeat
 * answers REBALANCE_IN_PROGRESS after `rebalance()` until the member joins again, while
 * OffsetCommit of the current generation is still accepted (PreparingRebalance);
 * `expel()` ends the member's generation (ILLEGAL_GENERATION). `log` lists what happened
 * in order ("commit t-0@5 g1", "join g2", "fetch t-0@3", ...). Errors can be queued per
 * partition for its next fetches, fetches can be left unanswered, and a hook can run while
 * a ListOffsets is out.
 */
export class FakeGroupCluster {
  readonly log: string[] = [];
  readonly committed = new Map<string, number>();
  /** Error codes the next fetches of a partition answer (then records again). */
  readonly fetchErrors = new Map<string, number[]>();
  readonly logStart = new Map<string, number>();
  generation = 0;
  rebalancing = false;
  /** Fetches left without an answer (a broker that stopped answering), counted down. */
  unansweredFetches = 0;
  linksClosed = 0;
  /** Runs once, the next time a ListOffsets arrives, before it is answered (what a client does while one is out). */
  onNextListOffsets: ((key: string) => void) | undefined;
  private readonly values = new Map<string, string[]>();

  constructor(private readonly partitions: Record<string, number>) {
    for (const [topic, count] of Object.entries(partitions)) for (let p = 0; p < count; p++) this.values.set(`${topic}-${p}`, []);
  }

  append(key: string, ...values: string[]): void {
    this.values.get(key)!.push(...values);
  }

  rebalance(): void {
    this.rebalancing = true;
  }

  expel(): void {
    this.generation++;
  }

  count(prefix: string): number {
    return this.log.filter((l) => l.startsWith(prefix)).length;
  }

  readonly openCoordinator = async (): Promise<CoordinatorLink> => this.link();
  readonly openBroker = async (): Promise<BrokerLink> => this.link();

  private link(): CoordinatorLink & BrokerLink {
    let alive = true;
    const failures: ((err: Error) => void)[] = [];
    const link = {
      get alive() {
        return alive;
      },
      close: () => {
        if (!alive) return;
        alive = false;
        this.linksClosed++;
        for (const fail of failures.splice(0)) fail(new Error('connection closed'));
      },
      send: (apiKey: number, _version: number, body: Body): Promise<unknown> => {
        if (!alive) return Promise.reject(new Error('connection closed'));
        return new Promise((resolve, reject) => {
          failures.push(reject);
          void this.answer(apiKey, body).then(resolve, reject);
        });
      },
    };
    return link as unknown as CoordinatorLink & BrokerLink;
  }

  private async answer(apiKey: number, body: Body): Promise<unknown> {
    switch (apiKey) {
      case MetadataApi.apiKey:
        this.log.push('metadata');
        return {
          brokers: [{ nodeId: 1, host: 'fake', port: 9092, rack: null }],
          controllerId: 1,
          topics: Object.entries(this.partitions).map(([name, count]) => ({
            errorCode: 0,
            name,
            isInternal: false,
            partitions: Array.from({ length: count }, (_, partitionIndex) => ({ errorCode: 0, partitionIndex, leaderId: 1, replicaNodes: [1], isrNodes: [1] })),
          })),
        };
      case JoinGroupApi.apiKey: {
        this.generation++;
        this.rebalancing = false;
        this.log.push(`join g${this.generation}`);
        const metadata = encodeConsumerSubscription(0, { topics: Object.keys(this.partitions), userData: null });
        return { errorCode: 0, generationId: this.generation, protocolName: 'range', leader: 'm-1', memberId: 'm-1', members: [{ memberId: 'm-1', metadata }] };
      }
      case SyncGroupApi.apiKey: {
        const mine = (body.assignments as { memberId: string; assignment: Buffer }[]).find((a) => a.memberId === 'm-1');
        return { errorCode: 0, assignment: mine?.assignment ?? Buffer.alloc(0) };
      }
      case HeartbeatApi.apiKey:
        this.log.push('heartbeat');
        if (body.generationId !== this.generation) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
        return { errorCode: this.rebalancing ? ErrorCode.REBALANCE_IN_PROGRESS : 0 };
      case OffsetCommitApi.apiKey: {
        const ok = body.generationIdOrMemberEpoch === this.generation;
        const topics = body.topics as { name: string; partitions: { partitionIndex: number; committedOffset: number }[] }[];
        return {
          topics: topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => {
              this.log.push(`commit ${t.name}-${p.partitionIndex}@${p.committedOffset} g${String(body.generationIdOrMemberEpoch)}${ok ? '' : ' refused'}`);
              if (ok) this.committed.set(`${t.name}-${p.partitionIndex}`, p.committedOffset);
              return { partitionIndex: p.partitionIndex, errorCode: ok ? 0 : ErrorCode.ILLEGAL_GENERATION };
            }),
          })),
        };
      }
      case OffsetFetchApi.apiKey: {
        const topics = body.topics as { name: string; partitionIndexes: number[] }[];
        return {
          errorCode: 0,
          topics: topics.map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: this.committed.get(`${t.name}-${partitionIndex}`) ?? -1, metadata: null, errorCode: 0 })),
          })),
        };
      }
      case ListOffsetsApi.apiKey: {
        const [t] = body.topics as { name: string; partitions: { partitionIndex: number; timestamp: number }[] }[];
        const key = `${t.name}-${t.partitions[0].partitionIndex}`;
        this.log.push(`list-offsets ${key}`);
        const hook = this.onNextListOffsets;
        this.onNextListOffsets = undefined;
        hook?.(key);
        const offset = t.partitions[0].timestamp === -2 ? (this.logStart.get(key) ?? 0) : this.values.get(key)!.length;
        return { topics: [{ name: t.name, partitions: [{ partitionIndex: t.partitions[0].partitionIndex, errorCode: 0, timestamp: -1, offset }] }] };
      }
      case FetchApi.apiKey:
        return this.fetch(body);
      case LeaveGroupApi.apiKey:
        this.log.push('leave');
        return { errorCode: 0 };
      default:
        throw new Error(`the fake cluster does not answer api ${apiKey}`);
    }
  }

  private async fetch(body: Body): Promise<unknown> {
    const topics = body.topics as { topic: string; partitions: FetchPartition[] }[];
    for (const t of topics) for (const p of t.partitions) this.log.push(`fetch ${t.topic}-${p.partition}@${p.fetchOffset}`);
    if (this.unansweredFetches > 0) {
      this.unansweredFetches--;
      return new Promise(() => undefined);
    }
    const answer = () =>
      topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => this.fetchPartition(t.topic, p)) }));
    let responses = answer();
    if (responses.every((t) => t.partitions.every((p) => p.records === null && p.errorCode === 0))) {
      // Nothing to hand over: wait (a short long-poll) before the empty answer.
      await new Promise((r) => setTimeout(r, Math.min(Number(body.maxWaitMs), 20)));
      responses = answer();
    }
    return { throttleTimeMs: 0, responses };
  }

  private fetchPartition(topic: string, p: FetchPartition) {
    const key = `${topic}-${p.partition}`;
    const values = this.values.get(key)!;
    const base = { partitionIndex: p.partition, highWatermark: values.length, lastStableOffset: values.length, abortedTransactions: [] };
    const queued = this.fetchErrors.get(key);
    if (queued && queued.length > 0) return { ...base, errorCode: queued.shift()!, records: null };
    const start = this.logStart.get(key) ?? 0;
    if (p.fetchOffset < start || p.fetchOffset > values.length) return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null };
    if (p.fetchOffset === values.length) return { ...base, errorCode: 0, records: null };
    const records = values.slice(p.fetchOffset).map((v) => ({ key: null, value: Buffer.from(v), timestamp: 1 }));
    return { ...base, errorCode: 0, records: buildBatch({ baseOffset: p.fetchOffset, records }) };
  }
}
