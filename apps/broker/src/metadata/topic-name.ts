/** Kafka's topic name rules: 1-249 chars of [a-zA-Z0-9._-], not "." or "..". */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name.length > 249) return `topic name is longer than 249 characters`;
  if (name === '.' || name === '..') return `topic name cannot be "." or ".."`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) return `topic name "${name}" contains characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

/** Topics the broker itself owns; clients may read them but not delete them. */
export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

/**
 * Internal topics that a cluster replicates like any other topic (created in the cluster
 * catalogue, RF = min(its replication factor setting, live brokers)); the others stay
 * broker-local in a cluster (none today: both coordinators follow leadership).
 */
export const CLUSTER_REPLICATED_INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);
