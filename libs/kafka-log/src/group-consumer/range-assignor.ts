/** One member of a consumer group as the leader sees it in the JoinGroup response. */
export interface GroupMemberSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
}

/** topic -> partitions, as the consumer protocol's Assignment carries it. */
export type TopicAssignment = Record<string, number[]>;

/**
 * Kafka's RangeAssignor (`range`, the Java consumer's default before 3.0): for each topic,
 * the members subscribed to it sorted by member id, its partitions sorted; each member
 * gets a contiguous range of floor(n / m) partitions and the first n % m members one
 * more. A topic missing from `partitionCounts` (unknown to the cluster) is assigned to
 * nobody. Every member is in the result, also those assigned nothing.
 */
export function rangeAssign(members: readonly GroupMemberSubscription[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicAssignment> {
  const out = new Map<string, TopicAssignment>();
  const byTopic = new Map<string, string[]>();
  for (const m of members) {
    out.set(m.memberId, {});
    for (const topic of new Set(m.topics)) byTopic.set(topic, [...(byTopic.get(topic) ?? []), m.memberId]);
  }
  for (const [topic, subscribers] of [...byTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const count = partitionCounts.get(topic);
    if (count === undefined || count <= 0) continue;
    subscribers.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((memberId, i) => {
      const start = i * per + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      if (length === 0) return;
      out.get(memberId)![topic] = Array.from({ length }, (_, k) => start + k);
    });
  }
  return out;
}
