import type { PartitionState } from './cluster-types';

/**
 * The controller's decision for one partition when the set of live brokers changes
 * (Kafka's offline-partition leader election and ISR shrink on broker failure):
 *
 * - Leader dead: the first replica in assignment order that is live and in the ISR
 *   leads; the ISR loses the dead leader. No such replica: with unclean election
 *   (unclean.leader.election.enable, off by default) the first live replica leads with an
 *   ISR of itself (acknowledged records may be lost); else the partition goes offline
 *   (leader -1) and its ISR is left as it was, so the last in-sync replica leads again
 *   when it returns and nothing acknowledged is lost.
 * - Offline partition: a returning ISR member (assignment order) leads.
 * - Live leader: dead followers leave the ISR (never the leader itself).
 *
 * Any leader change bumps the leader epoch; every change bumps the partition epoch.
 * Returns null when nothing changes.
 */
export function electLeader(state: PartitionState, replicas: readonly number[], live: ReadonlySet<number>, uncleanAllowed = false): PartitionState | null {
  const leaderAlive = state.leader >= 0 && live.has(state.leader);
  let leader = state.leader;
  let isr = [...state.isr];
  if (!leaderAlive) {
    const candidate = replicas.find((r) => live.has(r) && state.isr.includes(r));
    if (candidate !== undefined) {
      leader = candidate;
      isr = state.isr.filter((r) => live.has(r));
    } else if (uncleanAllowed) {
      const any = replicas.find((r) => live.has(r));
      leader = any ?? -1;
      if (any !== undefined) isr = [any];
    } else {
      leader = -1;
    }
  } else {
    isr = state.isr.filter((r) => r === state.leader || live.has(r));
  }
  const leaderChanged = leader !== state.leader;
  if (!leaderChanged && sameMembers(isr, state.isr)) return null;
  return {
    leader,
    leaderEpoch: leaderChanged && leader >= 0 ? state.leaderEpoch + 1 : state.leaderEpoch,
    isr,
    partitionEpoch: state.partitionEpoch + 1,
  };
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Preferred-leader election (Kafka's auto.leader.rebalance / ElectLeaders PREFERRED):
 * when the first replica in assignment order is live, in the ISR and not the leader, it
 * takes leadership back (leader epoch bumped, ISR unchanged). Null otherwise, and for an
 * offline partition (electLeader brings those back).
 */
export function electPreferredLeader(state: PartitionState, replicas: readonly number[], live: ReadonlySet<number>): PartitionState | null {
  const preferred = replicas[0];
  if (preferred === undefined || state.leader < 0 || state.leader === preferred) return null;
  if (!live.has(preferred) || !state.isr.includes(preferred)) return null;
  return { leader: preferred, leaderEpoch: state.leaderEpoch + 1, isr: [...state.isr], partitionEpoch: state.partitionEpoch + 1 };
}

/** ElectLeaders' election types (Kafka's ElectionType). */
export type ElectionType = 'preferred' | 'unclean';

/** Why ElectLeaders elected nobody for a partition (Kafka's per-partition errors). */
export type ElectionRefusal = 'election-not-needed' | 'preferred-leader-not-available' | 'eligible-leaders-not-available';

/**
 * An administrator's election for one partition (ElectLeaders 43), as Kafka decides it:
 * - preferred: the first assigned replica leads if it is live and in the ISR
 *   (ELECTION_NOT_NEEDED when it already leads, PREFERRED_LEADER_NOT_AVAILABLE otherwise);
 *   the same decision as the automatic rebalance (electPreferredLeader), extended to an
 *   offline partition.
 * - unclean: only for a partition without a live leader (else ELECTION_NOT_NEEDED): a
 *   live in-sync replica if any, else the first live replica with an ISR of itself (the
 *   request itself is the operator's consent to lose acknowledged records, as in Kafka);
 *   ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is live.
 */
export function decideElection(type: ElectionType, state: PartitionState, replicas: readonly number[], live: ReadonlySet<number>): PartitionState | ElectionRefusal {
  if (type === 'preferred') {
    const preferred = replicas[0];
    if (preferred !== undefined && state.leader === preferred) return 'election-not-needed';
    if (preferred === undefined || !live.has(preferred) || !state.isr.includes(preferred)) return 'preferred-leader-not-available';
    return { leader: preferred, leaderEpoch: state.leaderEpoch + 1, isr: [...state.isr], partitionEpoch: state.partitionEpoch + 1 };
  }
  if (state.leader >= 0 && live.has(state.leader)) return 'election-not-needed';
  const next = electLeader(state, replicas, live, true);
  return next && next.leader >= 0 ? next : 'eligible-leaders-not-available';
}
