import type { PartitionReassignment, PartitionState } from './cluster-types';

/**
 * Kafka's partition reassignment steps as pure decisions (the controller writes them,
 * partition-reassigner.ts). A reassignment from original replicas O to a target T first
 * makes the partition's replicas T followed by O∖T (adding = T∖O, removing = O∖T): the
 * brokers in `adding` open the replica, follow the leader and join the ISR once caught
 * up (the leader's ISR expansion). When every target replica is in the ISR the
 * reassignment completes in one step: the replicas become T, the ISR loses the removed
 * replicas and, if the leader is not in T, the first target replica that is live and in
 * sync leads (leader epoch bumped). The removed brokers then stop following and delete
 * their copy (their catalogue no longer assigns them the partition).
 */

/** The replicas before the reassignment in progress (replicas minus adding). */
export function originalReplicas(replicas: readonly number[], r: PartitionReassignment | undefined): number[] {
  return r ? replicas.filter((x) => !r.adding.includes(x)) : [...replicas];
}

/**
 * A (new) reassignment to `target`, replacing any in progress (computed from the original
 * replicas, as Kafka does). `reassignment` null: nothing to move (the target holds the
 * same brokers), the replicas simply take the target's order.
 */
export function planReassignment(
  replicas: readonly number[],
  current: PartitionReassignment | undefined,
  target: readonly number[],
): { replicas: number[]; reassignment: PartitionReassignment | null } {
  const original = originalReplicas(replicas, current);
  const adding = target.filter((x) => !original.includes(x));
  const removing = original.filter((x) => !target.includes(x));
  if (adding.length === 0 && removing.length === 0) return { replicas: [...target], reassignment: null };
  return { replicas: [...target, ...removing], reassignment: { adding, removing } };
}

/** What writing a decided step changes: the partition's replicas, and its state when that changes too. */
export interface ReassignmentStep {
  readonly replicas: number[];
  readonly state: PartitionState | null;
}

/**
 * Completion, once every target replica is in the ISR of a led partition; null while
 * not ready (or no target replica that is live and in sync could lead).
 */
export function completeReassignment(state: PartitionState, replicas: readonly number[], r: PartitionReassignment, live: ReadonlySet<number>): ReassignmentStep | null {
  const target = replicas.filter((x) => !r.removing.includes(x));
  if (state.leader < 0 || !target.every((x) => state.isr.includes(x))) return null;
  const isr = state.isr.filter((x) => target.includes(x));
  return moveTo(state, target, isr, live);
}

/**
 * Cancellation (AlterPartitionReassignments with null replicas): the replicas go back to
 * the original ones, the ISR loses the adding replicas, and a leader among them hands
 * over to the first original replica live and in sync. Null when no original replica is
 * in sync (cancelling then would lose acknowledged records; the caller refuses it).
 */
export function cancelReassignment(state: PartitionState, replicas: readonly number[], r: PartitionReassignment, live: ReadonlySet<number>): ReassignmentStep | null {
  const original = originalReplicas(replicas, r);
  const isr = state.isr.filter((x) => original.includes(x));
  if (isr.length === 0) return null;
  return moveTo(state, original, isr, live);
}

function moveTo(state: PartitionState, replicas: number[], isr: number[], live: ReadonlySet<number>): ReassignmentStep | null {
  let leader = state.leader;
  if (!replicas.includes(leader)) {
    const next = replicas.find((x) => isr.includes(x) && live.has(x));
    if (next === undefined) return null;
    leader = next;
  }
  const unchanged = leader === state.leader && isr.length === state.isr.length;
  if (unchanged) return { replicas, state: null };
  return {
    replicas,
    state: { leader, leaderEpoch: leader === state.leader ? state.leaderEpoch : state.leaderEpoch + 1, isr, partitionEpoch: state.partitionEpoch + 1 },
  };
}
