/** A task of a connector. */
export interface TaskId {
  readonly connector: string;
  readonly task: number;
}

/** What a worker tells the group when it joins (JSON in the JoinGroup metadata). */
export interface WorkerMetadata {
  /** REST URL of the worker (the leader's is where writes are forwarded). */
  readonly url: string;
  /** Offset the worker's config topic reader stands at (next offset to read). */
  readonly configOffset: number;
  /** Work the worker still runs: only what it has not stopped. */
  readonly connectors: readonly string[];
  readonly tasks: readonly TaskId[];
}

/** What the leader hands one worker (JSON in the SyncGroup assignment). */
export interface WorkerAssignment {
  readonly leader: string;
  readonly leaderUrl: string;
  /** The config topic offset the leader assigned from: start nothing before reading up to it. */
  readonly configOffset: number;
  /** Everything the worker runs in this generation (work it runs and is not listed here, it stops). */
  readonly connectors: readonly string[];
  readonly tasks: readonly TaskId[];
  /**
   * True when work was taken from this worker to be given to another: the worker
   * stops it and rejoins at once, so that the next round hands it over (the second
   * round of Kafka Connect's incremental cooperative protocol).
   */
  readonly rejoin: boolean;
}

/** Protocol name in JoinGroup: JSON metadata, so no Java worker may mistake it for its own. */
export const CONNECT_PROTOCOL_NAME = 'millrace-cooperative-1';

export function encodeJson(value: WorkerMetadata | WorkerAssignment): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeMetadata(bytes: Buffer): WorkerMetadata {
  const v = JSON.parse(bytes.toString('utf8')) as Partial<WorkerMetadata>;
  if (typeof v.url !== 'string' || typeof v.configOffset !== 'number' || !Array.isArray(v.connectors) || !Array.isArray(v.tasks)) {
    throw new Error('malformed connect worker metadata');
  }
  return v as WorkerMetadata;
}

export function decodeAssignment(bytes: Buffer): WorkerAssignment {
  const v = JSON.parse(bytes.toString('utf8')) as Partial<WorkerAssignment>;
  if (typeof v.leader !== 'string' || typeof v.leaderUrl !== 'string' || !Array.isArray(v.connectors) || !Array.isArray(v.tasks)) {
    throw new Error('malformed connect assignment');
  }
  return v as WorkerAssignment;
}

export function taskKey(t: TaskId): string {
  return `${t.connector}\u0000${t.task}`;
}

/**
 * The leader's assignment of connectors and tasks (the shape of Kafka Connect's
 * IncrementalCooperativeAssignor, without its delay for lost work).
 *
 * Contracts (connectors and tasks balanced separately):
 * - Balance: every member ends with floor(n/k) or ceil(n/k) items of each kind once the
 *   handover rounds are done; the larger shares go to members that already run more.
 * - Stickiness: a member keeps what it runs, up to its share.
 * - Never twice: an item is given to a member only if no other member reports running
 *   it. Items taken from a live member (over its share, or claimed by two members) are
 *   assigned to nobody in this round; their owners get `rejoin` and the next round hands
 *   the items over. Items of members that left (not in `members`) are free at once.
 * - Items that no longer exist are in nobody's assignment (their owner stops them).
 */
export function assignWork(
  members: readonly { memberId: string; metadata: WorkerMetadata }[],
  work: { connectors: readonly string[]; tasks: readonly TaskId[] },
  leader: { memberId: string; url: string; configOffset: number },
): Map<string, WorkerAssignment> {
  const ids = members.map((m) => m.memberId).sort();
  const connectorKeys = new Map(work.connectors.map((c) => [c, c]));
  const tasksByKey = new Map(work.tasks.map((t) => [taskKey(t), t]));
  const connectors = balance(ids, new Map(members.map((m) => [m.memberId, m.metadata.connectors.filter((c) => connectorKeys.has(c))])), [...connectorKeys.keys()]);
  const tasks = balance(ids, new Map(members.map((m) => [m.memberId, m.metadata.tasks.map(taskKey).filter((k) => tasksByKey.has(k))])), [...tasksByKey.keys()]);
  const out = new Map<string, WorkerAssignment>();
  for (const id of ids) {
    out.set(id, {
      leader: leader.memberId,
      leaderUrl: leader.url,
      configOffset: leader.configOffset,
      connectors: connectors.assigned.get(id) ?? [],
      tasks: (tasks.assigned.get(id) ?? []).map((k) => tasksByKey.get(k) as TaskId),
      rejoin: connectors.revokedFrom.has(id) || tasks.revokedFrom.has(id),
    });
  }
  return out;
}

/** Balances one kind of item; see assignWork. Keys are sorted for a deterministic result. */
function balance(ids: readonly string[], owned: ReadonlyMap<string, readonly string[]>, items: readonly string[]): { assigned: Map<string, string[]>; revokedFrom: Set<string> } {
  const claims = new Map<string, number>();
  for (const list of owned.values()) for (const item of list) claims.set(item, (claims.get(item) ?? 0) + 1);
  const revokedFrom = new Set<string>();
  const kept = new Map<string, string[]>();
  for (const id of ids) {
    const mine = [...(owned.get(id) ?? [])].sort();
    const unique = mine.filter((item) => claims.get(item) === 1);
    if (unique.length < mine.length) revokedFrom.add(id);
    kept.set(id, unique);
  }
  const quota = shares(ids, items.length, kept);
  for (const id of ids) {
    const list = kept.get(id) as string[];
    const limit = quota.get(id) as number;
    if (list.length > limit) {
      list.length = limit;
      revokedFrom.add(id);
    }
  }
  const taken = new Set([...kept.values()].flat());
  // an item still claimed by a live member is neither free nor reassigned in this round
  const free = items.filter((item) => !taken.has(item) && !claims.has(item)).sort();
  for (const id of ids) {
    const list = kept.get(id) as string[];
    const limit = quota.get(id) as number;
    while (list.length < limit && free.length > 0) list.push(free.shift() as string);
  }
  return { assigned: kept, revokedFrom };
}

/** Each member's share of n items: floor(n/k), plus one for the n%k members that hold most already. */
function shares(ids: readonly string[], n: number, held: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const k = ids.length;
  const out = new Map<string, number>();
  if (k === 0) return out;
  const base = Math.floor(n / k);
  const byHeld = [...ids].sort((a, b) => (held.get(b)?.length ?? 0) - (held.get(a)?.length ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  byHeld.forEach((id, i) => out.set(id, base + (i < n % k ? 1 : 0)));
  return out;
}
