import type { ControllerInfo, PartitionReassignment, PartitionState, TopicAssignment, VersionedPartitionState } from './cluster-types';
import { ControllerFencedError, type ClusterMetadataStore } from './cluster-metadata-store';
import { cancelReassignment, completeReassignment, planReassignment } from './reassignment';

/** One partition of an AlterPartitionReassignments request; `replicas` null cancels. */
export interface ReassignRequest {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[] | null;
}

/** Why a partition's reassignment request was refused (the broker maps these to Kafka error codes). */
export type ReassignError = 'unknown-topic-or-partition' | 'invalid-replica-assignment' | 'no-reassignment-in-progress' | 'not-controller';

export interface ReassignResult {
  readonly topic: string;
  readonly partition: number;
  readonly error: ReassignError | null;
  readonly message: string | null;
}

/** A reassignment in progress, as ListPartitionReassignments answers it. */
export interface OngoingReassignment {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly adding: readonly number[];
  readonly removing: readonly number[];
}

export interface ReassignerLogger {
  info(message: string): void;
}

const CAS_ATTEMPTS = 5;

/**
 * The controller's partition reassignments (Kafka's AlterPartitionReassignments /
 * ListPartitionReassignments; the steps are in reassignment.ts). The target is recorded
 * in the topic record (TopicAssignment.reassignments, replicas = target + removing) with
 * compare-and-swap fenced by the controller epoch; `progress` completes every
 * reassignment whose target replicas are all in the ISR, writing the topic record and
 * the partition record (leader moved off a removed replica, ISR without the removed
 * replicas) in one transaction. A superseded controller's writes are refused; its
 * successor picks the reassignments up from etcd.
 */
export class PartitionReassigner {
  constructor(
    private readonly store: ClusterMetadataStore,
    private readonly controller: ControllerInfo,
    private readonly logger: ReassignerLogger,
  ) {}

  /** Starts, replaces or cancels reassignments; one result per request, in request order. */
  async alter(requests: readonly ReassignRequest[], live: ReadonlySet<number>): Promise<ReassignResult[]> {
    const results = new Map<ReassignRequest, ReassignResult>();
    const byTopic = new Map<string, ReassignRequest[]>();
    for (const r of requests) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    for (const [topic, asked] of byTopic) for (const r of await this.alterTopic(topic, asked, live)) results.set(asked[r.index]!, r.result);
    return requests.map((r) => results.get(r)!);
  }

  /** Reassignments in progress, optionally only those of the given partitions. */
  async list(filter: readonly { topic: string; partitions: readonly number[] }[] | null): Promise<OngoingReassignment[]> {
    const topics = await this.store.listTopics();
    const out: OngoingReassignment[] = [];
    const wanted = filter ? new Map(filter.map((f) => [f.topic, new Set(f.partitions)])) : null;
    for (const [topic, a] of [...topics].sort(([x], [y]) => x.localeCompare(y))) {
      for (const [key, r] of Object.entries(a.reassignments ?? {})) {
        const partition = Number(key);
        if (wanted && !wanted.get(topic)?.has(partition)) continue;
        out.push({ topic, partition, replicas: a.replicas[partition] ?? [], adding: r.adding, removing: r.removing });
      }
    }
    return out.sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
  }

  /**
   * Completes the reassignments that are ready. Returns whether any is still in progress.
   * Throws ControllerFencedError once this controller was superseded.
   */
  async progress(live: ReadonlySet<number>): Promise<boolean> {
    const { topics, revisions } = await this.store.readTopics();
    let pending = false;
    for (const [name, a] of topics) {
      const ongoing = Object.entries(a.reassignments ?? {});
      if (ongoing.length === 0) continue;
      const replicas = a.replicas.map((r) => [...r]);
      const left: Record<string, PartitionReassignment> = { ...a.reassignments };
      const writes: { read: VersionedPartitionState; next: PartitionState }[] = [];
      const done: number[] = [];
      for (const [key, r] of ongoing) {
        const p = Number(key);
        const read = await this.store.getPartition(name, p);
        const step = read && replicas[p] ? completeReassignment(read.state, replicas[p], r, live) : null;
        if (!read || !step) {
          pending = true;
          continue;
        }
        replicas[p] = step.replicas;
        delete left[key];
        done.push(p);
        if (step.state) writes.push({ read, next: step.state });
      }
      if (done.length === 0) continue;
      const result = await this.store.reassign(this.controller, name, revisions.get(name)!, withReassignments({ ...a, replicas }, left), writes);
      if (result === 'fenced') throw new ControllerFencedError(this.controller);
      if (result === 'stale') {
        pending = true;
        continue;
      }
      if (Object.keys(left).length > 0) pending = true;
      for (const p of done) {
        const moved = writes.find((w) => w.read.partition === p);
        const leader = moved && moved.next.leader !== moved.read.state.leader ? `, leadership moved to broker ${moved.next.leader}` : '';
        this.logger.info(`partition ${name}-${p}: reassignment completed, replicas [${replicas[p]!.join(',')}]${leader}`);
      }
    }
    return pending;
  }

  private async alterTopic(topic: string, asked: readonly ReassignRequest[], live: ReadonlySet<number>): Promise<{ index: number; result: ReassignResult }[]> {
    const fail = (r: ReassignRequest, error: ReassignError, message: string): ReassignResult => ({ topic: r.topic, partition: r.partition, error, message });
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const { topics, revisions } = await this.store.readTopics();
      const a = topics.get(topic);
      if (!a) return asked.map((r, index) => ({ index, result: fail(r, 'unknown-topic-or-partition', `topic '${topic}' does not exist`) }));
      const replicas = a.replicas.map((r) => [...r]);
      const reassignments: Record<string, PartitionReassignment> = { ...a.reassignments };
      const writes: { read: VersionedPartitionState; next: PartitionState }[] = [];
      const results: ReassignResult[] = [];
      for (const r of asked) {
        const current = replicas[r.partition];
        const key = String(r.partition);
        if (!Number.isInteger(r.partition) || r.partition < 0 || !current) {
          results.push(fail(r, 'unknown-topic-or-partition', `topic '${topic}' has no partition ${r.partition}`));
        } else if (r.replicas === null) {
          const ongoing = reassignments[key];
          const read = ongoing ? await this.store.getPartition(topic, r.partition) : null;
          const step = ongoing && read ? cancelReassignment(read.state, current, ongoing, live) : null;
          if (!ongoing) results.push(fail(r, 'no-reassignment-in-progress', `partition ${topic}-${r.partition} has no reassignment in progress to cancel`));
          else if (!read || !step) results.push(fail(r, 'invalid-replica-assignment', `partition ${topic}-${r.partition}: no original replica is in sync and live, so cancelling could lose acknowledged records`));
          else {
            replicas[r.partition] = step.replicas;
            delete reassignments[key];
            if (step.state) writes.push({ read, next: step.state });
            results.push({ topic, partition: r.partition, error: null, message: null });
          }
        } else {
          const invalid = validateTarget(r.replicas, live);
          if (invalid) results.push(fail(r, 'invalid-replica-assignment', `partition ${topic}-${r.partition}: ${invalid}`));
          else {
            const plan = planReassignment(current, reassignments[key], r.replicas);
            replicas[r.partition] = plan.replicas;
            if (plan.reassignment) reassignments[key] = plan.reassignment;
            else delete reassignments[key];
            results.push({ topic, partition: r.partition, error: null, message: null });
          }
        }
      }
      if (results.every((r) => r.error !== null)) return results.map((result, index) => ({ index, result }));
      const outcome = await this.store.reassign(this.controller, topic, revisions.get(topic)!, withReassignments({ ...a, replicas }, reassignments), writes);
      if (outcome === 'ok') {
        for (const r of results) if (!r.error) this.logger.info(`partition ${topic}-${r.partition}: replicas now [${replicas[r.partition]!.join(',')}]${reassignments[String(r.partition)] ? ' (reassignment in progress)' : ''}`);
        return results.map((result, index) => ({ index, result }));
      }
      if (outcome === 'fenced') return asked.map((r, index) => ({ index, result: fail(r, 'not-controller', 'this broker is no longer the controller') }));
    }
    throw new Error(`topic ${topic} kept changing while its reassignment was written; try again`);
  }
}

/** Why a target replica list cannot be used (Kafka's manual assignment checks), or null. */
function validateTarget(target: readonly number[], live: ReadonlySet<number>): string | null {
  if (target.length === 0) return 'the replica list is empty';
  if (new Set(target).size !== target.length) return `the replica list [${target.join(',')}] names a broker twice`;
  const missing = target.filter((b) => !live.has(b));
  if (missing.length > 0) return `broker(s) ${missing.join(',')} named in the replica list are not registered (live brokers: ${[...live].sort((x, y) => x - y).join(',')})`;
  return null;
}

function withReassignments(a: TopicAssignment, reassignments: Record<string, PartitionReassignment>): TopicAssignment {
  const rest: TopicAssignment = { topicId: a.topicId, replicas: a.replicas, ...(a.configs ? { configs: a.configs } : {}) };
  return Object.keys(reassignments).length > 0 ? { ...rest, reassignments } : rest;
}
