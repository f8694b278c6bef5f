/**
 * Settings of the group coordinator, named after Kafka's broker configs.
 * Any field left out of the constructor argument takes the Kafka default below.
 */
export interface GroupCoordinatorConfig {
  /** offsets.topic.num.partitions: partitions of `__consumer_offsets`. */
  offsetsTopicNumPartitions: number;
  /** group.initial.rebalance.delay.ms: wait for more members before the first rebalance of an Empty group. */
  groupInitialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms: smallest session.timeout.ms a member may ask for. */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms: largest session.timeout.ms a member may ask for. */
  groupMaxSessionTimeoutMs: number;
  /** offsets.retention.minutes: how long committed offsets of an Empty group are kept. */
  offsetsRetentionMinutes: number;
  /** offsets.retention.check.interval.ms: how often expired offsets are removed. */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes: longest metadata string accepted by OffsetCommit. */
  offsetMetadataMaxBytes: number;
  /**
   * How long a new member's pending JoinGroup may wait before it is dropped (Kafka's
   * GroupCoordinator.NewMemberJoinTimeoutMs, 5 minutes; not a broker config there).
   */
  newMemberJoinTimeoutMs: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: Readonly<GroupCoordinatorConfig> = Object.freeze({
  offsetsTopicNumPartitions: 50,
  groupInitialRebalanceDelayMs: 3000,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1_800_000,
  offsetsRetentionMinutes: 7 * 24 * 60,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  newMemberJoinTimeoutMs: 300_000,
});

/**
 * Fills in defaults and validates. Only the keys of GroupCoordinatorConfig are read, so a
 * larger object (e.g. the broker's whole BrokerConfig, which uses the same names) may be
 * passed as is; keys that are undefined take their default.
 */
export function resolveGroupCoordinatorConfig(partial: Partial<GroupCoordinatorConfig> = {}): GroupCoordinatorConfig {
  const cfg = { ...DEFAULT_GROUP_COORDINATOR_CONFIG };
  for (const k of Object.keys(cfg) as (keyof GroupCoordinatorConfig)[]) {
    const v = partial[k];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`group coordinator config ${k} must be a non-negative integer, got ${v}`);
    cfg[k] = v;
  }
  if (cfg.offsetsTopicNumPartitions < 1) throw new RangeError('offsetsTopicNumPartitions must be at least 1');
  if (cfg.groupMinSessionTimeoutMs > cfg.groupMaxSessionTimeoutMs) {
    throw new RangeError('groupMinSessionTimeoutMs must not exceed groupMaxSessionTimeoutMs');
  }
  return cfg;
}
