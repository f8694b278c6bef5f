/**
 * Group states of Kafka's classic group protocol.
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance
 *     ▲                 ▲      │                                      │
 *     │                 │      └──no members left──▶ Empty            │ leader's SyncGroup
 *     │                 │                                             ▼ persisted
 *     │                 └──────── join / leave / expiry ─────────── Stable
 *     └─ any ──▶ Dead (deleted, or Empty with all offsets expired)
 *
 * - Empty: no members (may still have committed offsets).
 * - PreparingRebalance: waiting for members to (re)join; JoinGroup responses are held.
 * - CompletingRebalance: join responses sent, waiting for the leader's assignment.
 * - Stable: assignment distributed; members heartbeat.
 * - Dead: removed from the coordinator; every operation answers COORDINATOR_NOT_AVAILABLE
 *   or as for an unknown group.
 */
export enum GroupState {
  Empty = 'Empty',
  PreparingRebalance = 'PreparingRebalance',
  CompletingRebalance = 'CompletingRebalance',
  Stable = 'Stable',
  Dead = 'Dead',
}

const VALID_PREVIOUS_STATES: Record<GroupState, readonly GroupState[]> = {
  [GroupState.Dead]: [
    GroupState.Stable,
    GroupState.PreparingRebalance,
    GroupState.CompletingRebalance,
    GroupState.Empty,
    GroupState.Dead,
  ],
  [GroupState.CompletingRebalance]: [GroupState.PreparingRebalance],
  [GroupState.Stable]: [GroupState.CompletingRebalance],
  [GroupState.PreparingRebalance]: [GroupState.Stable, GroupState.CompletingRebalance, GroupState.Empty],
  [GroupState.Empty]: [GroupState.PreparingRebalance],
};

/** Whether Kafka's state machine allows `from -> to` (the arrows above). */
export function isValidTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}
