import { EventEmitter } from 'node:events';
import { errorMessage, WakeableSleep } from '@millrace/app-common';
import { ErrorCode, errorName, FetchApi } from '@millrace/protocol';
import { ISOLATION_LEVEL_CODE, readFetchedRecords, type IsolationLevel } from '../fetched-records';
import { openGroupCoordinator } from '../group-coordinator-connection';
import type { EachGroupBatch, GroupConsumerOptions, GroupRunOptions } from './group-consumer-options';
import { GroupMembership, isRejoinError } from './group-membership';
import { LeaderRoutes } from './leader-routes';
import { listOffset } from './list-offset';
import { PartitionTrace } from './partition-trace';
import { DEFAULT_REQUEST_TIMEOUT_MS, withRequestTimeout } from './request-timeout';
import { GROUP_CONSUMER_EVENTS, GroupConsumerError, type GroupBatchPayload, type GroupJoinEvent, type GroupMessage, type GroupTopicPartitions } from './group-consumer-types';
import type { TopicAssignment } from './range-assignor';

export { GroupConsumerError } from './group-consumer-types';
export type { EachGroupBatch, GroupConsumerOptions, GroupRunOptions } from './group-consumer-options';
export type { GroupConsumerLogger } from './partition-trace';

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** The next offset to fetch; null: not known yet (no committed offset: the earliest). */
  position: number | null;
  /** Bumped by every seek: a batch fetched before it is stale. */
  seekEpoch: number;
}

const FETCH_VERSION = 4;
const NO_HEADERS: Record<string, Buffer> = Object.freeze({}) as Record<string, Buffer>;
const RELOAD_METADATA = new Set<number>([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH]);

/**
 * A consumer-group member over libs/protocol (no kafkajs), with the subset of kafkajs's
 * Consumer API the sink tasks use: `subscribe`, `run({ eachBatch })` with manual
 * resolution, `pause`/`resume`/`seek`, `commitOffsets`, the REBALANCING and GROUP_JOIN
 * events, `disconnect`.
 *
 * Contracts:
 * - Membership: GroupMembership (eager rebalancing, range assignor, consumer protocol);
 *   a heartbeat every `heartbeatIntervalMs` while a member (from a timer: also while a
 *   batch is written). When the group rebalances (heartbeat or commit says so) the loop
 *   delivers no more batches of the fetch in hand, awaits `beforeRejoin` (commits of the
 *   current generation are still accepted), emits REBALANCING, joins again, reads the
 *   group's committed offsets of the new assignment (none: the partition's earliest
 *   offset, also after OFFSET_OUT_OF_RANGE) and emits GROUP_JOIN with it. Batches fetched under an older generation, or before a `seek` of
 *   their partition, are stale (`isStale()`), and their resolution is ignored.
 * - Fetching: one Fetch per partition leader per round (in parallel), `isolationLevel`,
 *   records decoded straight from the record batches (views into the response; control
 *   records and, with read_committed, aborted transactions never handed over). Each
 *   partition's records go to `eachBatch` in offset order, one batch at a time; the
 *   position moves past what the handler resolved (unresolved records are fetched again).
 * - Errors of the cluster (connections, leaders, coordinator, requests unanswered within
 *   `requestTimeoutMs`) are logged and retried with backoff until `disconnect`; `commitOffsets` throws them as GroupConsumerError
 *   (retriable) or GroupError (its Kafka `type`, e.g. ILLEGAL_GENERATION, and the member
 *   joins again).
 * - `disconnect` waits for the batch in hand, leaves the group and closes every connection.
 */
export class GroupConsumer {
  readonly events = GROUP_CONSUMER_EVENTS;
  private readonly emitter = new EventEmitter();
  private readonly membership: GroupMembership;
  private readonly clientId: string;
  private readonly isolation: IsolationLevel;
  private topics: string[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private rejoinNeeded = true;
  private joining = false;
  /** Bumped at every rebalance start and join: batches of an older generation are stale. */
  private generation = 0;
  private parts = new Map<string, PartitionState>();
  private readonly pausedKeys = new Set<string>();
  /** Seeks of partitions not assigned when asked (during a rejoin), by key. */
  private readonly pendingSeeks = new Map<string, number>();
  private readonly routes: LeaderRoutes;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastHeartbeat = 0;
  private heartbeating: Promise<void> | null = null;
  /** The run loop's wait between fetch rounds; resume, a rejoin and disconnect end it. */
  private readonly sleeper = new WakeableSleep();
  private beforeRejoin: (() => Promise<void>) | undefined;
  /** True while `beforeRejoin` runs. */
  private revoking = false;
  private readonly requestTimeoutMs: number;
  private readonly trace: PartitionTrace;

  constructor(private readonly opts: GroupConsumerOptions) {
    this.clientId = opts.clientId ?? 'millrace-group-consumer';
    this.isolation = opts.isolationLevel ?? 'read_committed';
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.trace = new PartitionTrace(opts.groupId, opts.logger);
    this.routes = new LeaderRoutes(opts.bootstrap, this.clientId, opts.openBroker, this.requestTimeoutMs);
    this.membership = new GroupMembership({
      groupId: opts.groupId,
      sessionTimeoutMs: opts.sessionTimeoutMs,
      rebalanceTimeoutMs: opts.rebalanceTimeoutMs,
      openCoordinator: opts.openCoordinator ?? (() => openGroupCoordinator(opts.bootstrap, opts.groupId, this.clientId)),
      partitionCounts: (topics) => this.routes.partitionCounts(topics),
      requestTimeoutMs: this.requestTimeoutMs,
    });
  }

  on(event: typeof GROUP_CONSUMER_EVENTS.REBALANCING, listener: () => void): void;
  on(event: typeof GROUP_CONSUMER_EVENTS.GROUP_JOIN, listener: (event: GroupJoinEvent) => void): void;
  on(event: string, listener: (...args: never[]) => void): void {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
  }

  /** Nothing to open ahead: connections are made by the loop (kafkajs shape). */
  async connect(): Promise<void> {}

  async subscribe(s: { topics: string[]; fromBeginning?: boolean }): Promise<void> {
    this.topics = [...new Set([...this.topics, ...s.topics])];
  }

  /** Starts the loop (join, fetch, eachBatch); resolves at once. */
  async run(r: GroupRunOptions): Promise<void> {
    if (this.running) throw new Error('the consumer is already running');
    this.running = true;
    this.beforeRejoin = r.beforeRejoin;
    this.heartbeatTimer = setInterval(() => void this.heartbeatIfDue(), Math.max(50, Math.floor(this.opts.heartbeatIntervalMs / 2)));
    this.loop = this.runLoop(r.eachBatch);
  }

  pause(tps: GroupTopicPartitions[]): void {
    for (const t of tps) for (const p of t.partitions) this.pausedKeys.add(`${t.topic}-${p}`);
    this.trace.debug(() => `paused ${tps.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)).join(', ')}`);
  }

  resume(tps: GroupTopicPartitions[]): void {
    for (const t of tps) for (const p of t.partitions) this.pausedKeys.delete(`${t.topic}-${p}`);
    this.trace.debug(() => `resumed ${tps.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)).join(', ')}`);
    this.sleeper.wake();
  }

  /** Fetches `partition` from `offset` next (an assigned partition; others are ignored). */
  seek(s: { topic: string; partition: number; offset: string }): void {
    const key = `${s.topic}-${s.partition}`;
    const p = this.parts.get(key);
    // Not assigned right now, or assigned but being revoked (`beforeRejoin` runs; the join resets positions to the
    // committed offsets): applied if the next assignment has it, so the offsets a sink keeps itself are not lost.
    if (!p || this.revoking) this.pendingSeeks.set(key, Number(s.offset));
    this.trace.debug(() => `seek ${key} to ${s.offset}: ${p ? 'applied' : 'not assigned now'}${!p || this.revoking ? ', kept for the next assignment' : ''}`);
    if (!p) return;
    p.position = Number(s.offset);
    p.seekEpoch++;
    this.trace.moved(key);
  }

  async commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    try {
      await this.membership.commit(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset) })));
    } catch (err) {
      // A refusal that ended this member's generation (GroupMembership resets it) makes the loop join again; one of an older generation changes nothing.
      if (err instanceof Error && err.name === 'GroupError') throw err;
      throw new GroupConsumerError(`committing offsets of group ${this.opts.groupId}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async disconnect(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    clearInterval(this.heartbeatTimer);
    this.sleeper.wake();
    this.routes.close();
    // A JoinGroup held by the coordinator for a rebalance would keep the loop for up to the rebalance timeout.
    if (this.joining) this.membership.abort();
    await this.loop;
    await this.heartbeating;
    if (wasRunning) await this.membership.leave();
  }

  private async runLoop(eachBatch: EachGroupBatch): Promise<void> {
    let backoffMs = 100;
    while (this.running) {
      try {
        if (this.rejoinNeeded || !this.membership.member) await this.rejoin();
        else if (!(await this.fetchRound(eachBatch))) await this.sleeper.sleep(100);
        backoffMs = 100;
      } catch (err) {
        if (!this.running) break;
        if (isRejoinError(err)) {
          this.rejoinNeeded = true;
          continue;
        }
        this.opts.logger?.warn(`group ${this.opts.groupId}: ${errorMessage(err)}; retrying in ${backoffMs} ms`);
        this.routes.close(true);
        await this.sleeper.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
  }

  private async rejoin(): Promise<void> {
    await this.revoke();
    if (!this.running) return;
    this.joining = true;
    this.generation++;
    this.emitter.emit(GROUP_CONSUMER_EVENTS.REBALANCING, { payload: { groupId: this.opts.groupId, memberId: this.membership.memberId } });
    let assignment: TopicAssignment;
    let committed: Map<string, number>;
    try {
      this.parts = new Map();
      assignment = await this.membership.join(this.topics);
      this.lastHeartbeat = Date.now();
      this.rejoinNeeded = false;
      committed = await this.membership.committed(assignment);
    } finally {
      this.joining = false;
    }
    const parts = new Map<string, PartitionState>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const key = `${topic}-${partition}`;
        const offset = this.pendingSeeks.get(key) ?? committed.get(key) ?? -1;
        parts.set(key, { topic, partition, key, position: offset >= 0 ? offset : null, seekEpoch: 0 });
      }
    }
    this.trace.reset();
    this.trace.debug(() => {
      const from = [...parts.values()].map((p) => `${p.key}@${p.position ?? 'earliest'}${this.pendingSeeks.has(p.key) ? ' (sought)' : ''}${this.pausedKeys.has(p.key) ? ' (paused)' : ''}`);
      return `generation ${this.membership.generationId} assigned ${from.length === 0 ? 'nothing' : from.join(', ')}`;
    });
    this.pendingSeeks.clear();
    this.parts = parts;
    this.generation++;
    const event: GroupJoinEvent = { payload: { memberAssignment: assignment, generationId: this.membership.generationId, memberId: this.membership.memberId } };
    this.emitter.emit(GROUP_CONSUMER_EVENTS.GROUP_JOIN, event);
  }

  /** Runs `beforeRejoin` while the member still holds its generation and partitions (see GroupRunOptions). */
  private async revoke(): Promise<void> {
    if (!this.beforeRejoin || !this.membership.member || this.parts.size === 0) return;
    this.revoking = true;
    try {
      await this.beforeRejoin();
    } catch (err) {
      this.opts.logger?.warn(`group ${this.opts.groupId}: committing before the rejoin failed: ${errorMessage(err)}`);
    } finally {
      this.revoking = false;
    }
  }

  /** One Fetch per leader over the assigned, unpaused partitions; their batches to `eachBatch`. False when nothing was fetchable. */
  private async fetchRound(eachBatch: EachGroupBatch): Promise<boolean> {
    const ready = [...this.parts.values()].filter((p) => !this.pausedKeys.has(p.key));
    if (ready.length === 0) return false;
    const generation = this.generation;
    if (ready.some((p) => !this.routes.has(p.key))) await this.routes.load(this.topics);
    for (const p of ready) if (p.position === null) await this.startFromEarliest(p, 'no committed offset');
    const byLeader = new Map<number, PartitionState[]>();
    for (const p of ready) {
      const leader = this.routes.leaderOf(p.key);
      if (leader === undefined) {
        this.trace.debug(() => `${p.key}: no leader known, not fetched this round`);
        continue;
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    // No leader known for any of them (a topic being deleted or created): wait before asking the metadata again.
    if (byLeader.size === 0) return false;
    const fetched = await Promise.all(
      [...byLeader].map(async ([leader, ps]) => {
        const asked = ps.map((p) => ({ p, offset: p.position!, seekEpoch: p.seekEpoch }));
        const conn = await this.routes.connection(leader);
        const maxWaitMs = this.opts.maxWaitMs ?? 500;
        const fetching = conn.send(FetchApi.apiKey, FETCH_VERSION, {
          replicaId: -1,
          maxWaitMs,
          minBytes: 1,
          maxBytes: this.opts.maxBytes,
          isolationLevel: ISOLATION_LEVEL_CODE[this.isolation],
          topics: [...groupByTopic(asked.map((a) => a.p))].map(([topic, partitions]) => ({
            topic,
            partitions: partitions.map((p) => ({ partition: p.partition, fetchOffset: p.position!, logStartOffset: -1, partitionMaxBytes: this.opts.maxBytesPerPartition })),
          })),
          forgottenTopicsData: [],
        });
        const res = await withRequestTimeout(fetching, maxWaitMs + this.requestTimeoutMs, `Fetch from broker ${leader}`, () => conn.close());
        return { asked, res };
      }),
    );
    for (const { asked, res } of fetched) {
      for (const t of res.responses) {
        for (const r of t.partitions) {
          // A rebalance under way: the partitions are revoked first, the rest of this fetch is fetched again by their next owner.
          if (!this.running || this.rejoinNeeded || !this.membership.member || generation !== this.generation) return true;
          const a = asked.find((x) => x.p.topic === t.topic && x.p.partition === r.partitionIndex);
          if (!a || a.p !== this.parts.get(a.p.key) || a.seekEpoch !== a.p.seekEpoch) {
            if (a) this.trace.debug(() => `${a.p.key}: fetched from ${a.offset} before a seek or reassignment, dropped`);
            continue;
          }
          if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
            await this.startFromEarliest(a.p, `offset ${a.offset} out of range`);
            continue;
          }
          if (RELOAD_METADATA.has(r.errorCode)) {
            this.routes.forget(a.p.key);
            this.trace.debug(() => `${a.p.key}: fetch answered ${errorName(r.errorCode)}, asking the metadata again`);
            continue;
          }
          if (r.errorCode !== ErrorCode.NONE) throw new GroupConsumerError(`fetch ${a.p.key} failed with ${errorName(r.errorCode)}`);
          await this.deliver(eachBatch, a.p, a.offset, a.seekEpoch, generation, r);
        }
      }
    }
    return true;
  }

  private async deliver(
    eachBatch: EachGroupBatch,
    p: PartitionState,
    offset: number,
    seekEpoch: number,
    generation: number,
    r: { highWatermark: number; records: Buffer | null; abortedTransactions: { producerId: number; firstOffset: number }[] | null },
  ): Promise<void> {
    const { records, nextOffset } = readFetchedRecords(r.records, offset, this.isolation, r.abortedTransactions, false);
    if (records.length === 0) {
      if (nextOffset > offset) p.position = nextOffset;
      return;
    }
    const messages: GroupMessage[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      let headers = NO_HEADERS;
      if (rec.headers.length > 0) {
        headers = {};
        for (const h of rec.headers) if (h.value !== null) headers[h.key] = h.value;
      }
      messages[i] = { key: rec.key, value: rec.value, timestamp: String(rec.timestamp), attributes: 0, offset: String(rec.offset), headers };
    }
    const lastOffset = records[records.length - 1].offset;
    let resolved: number | null = null;
    const stale = (): boolean => generation !== this.generation || seekEpoch !== p.seekEpoch || this.parts.get(p.key) !== p;
    const payload: GroupBatchPayload = {
      batch: {
        topic: p.topic,
        partition: p.partition,
        highWatermark: String(r.highWatermark),
        messages,
        firstOffset: () => messages[0].offset,
        lastOffset: () => messages[messages.length - 1].offset,
      },
      resolveOffset: (o) => {
        resolved = Number(o);
      },
      heartbeat: () => this.heartbeatIfDue(),
      pause: () => {
        this.pausedKeys.add(p.key);
        return () => this.resume([{ topic: p.topic, partitions: [p.partition] }]);
      },
      isRunning: () => this.running,
      isStale: stale,
    };
    await eachBatch(payload);
    if (stale()) {
      this.trace.debug(() => `${p.key}: batch ${offset}..${lastOffset} went stale while delivered (rebalance, seek or revocation)`);
      return;
    }
    if (resolved === null) {
      this.trace.unresolved(p.key, offset, 'the handler resolved nothing');
      return;
    }
    const done: number = resolved;
    p.position = done >= lastOffset ? Math.max(nextOffset, done + 1) : done + 1;
    this.trace.moved(p.key);
    this.trace.debug(() => `${p.key}: batch ${offset}..${lastOffset} resolved to ${done}, next fetch from ${p.position}`);
  }

  private heartbeatIfDue(): Promise<void> {
    if (this.heartbeating) return this.heartbeating;
    if (!this.running || this.joining || !this.membership.member || Date.now() - this.lastHeartbeat < this.opts.heartbeatIntervalMs) return Promise.resolve();
    this.heartbeating = this.membership
      .heartbeat()
      .then(
        (answer) => {
          this.lastHeartbeat = Date.now();
          if (answer === 'rejoin') {
            this.rejoinNeeded = true;
            this.sleeper.wake();
          }
        },
        (err: unknown) => {
          if (this.running) this.opts.logger?.warn(`group ${this.opts.groupId}: heartbeat failed: ${errorMessage(err)}`);
        },
      )
      .finally(() => {
        this.heartbeating = null;
      });
    return this.heartbeating;
  }

  /**
   * Moves `p` to its earliest offset (ListOffsets), unless it was sought while the request
   * was out: the seek wins. (A sink seeks its partitions from the GROUP_JOIN handler, while
   * the loop already resolves the positions of those without a committed offset; the
   * answer overwriting the seek started the partition below the sink's offset, whose
   * batches the sink then dropped unresolved, fetched again and dropped forever.)
   */
  private async startFromEarliest(p: PartitionState, why: string): Promise<void> {
    const seekEpoch = p.seekEpoch;
    const earliest = await listOffset(this.routes, p, -2, this.isolation, this.requestTimeoutMs);
    if (p.seekEpoch !== seekEpoch) {
      this.trace.debug(() => `${p.key}: ${why}, but sought to ${p.position} meanwhile: the seek stands (earliest ${earliest})`);
      return;
    }
    p.position = earliest;
    this.trace.debug(() => `${p.key}: ${why}: from the earliest offset ${earliest}`);
  }

}

function groupByTopic(ps: readonly PartitionState[]): Map<string, PartitionState[]> {
  const out = new Map<string, PartitionState[]>();
  for (const p of ps) out.set(p.topic, [...(out.get(p.topic) ?? []), p]);
  return out;
}
