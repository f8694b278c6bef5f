import type { StatusRecord } from './status-state';

/** One active topic of a connector as stored in `connect-status` (Kafka Connect's TopicStatus). */
export interface TopicStatus {
  readonly name: string;
  readonly connector: string;
  /** The task that first used the topic. */
  readonly task: number;
  readonly discoverTimestamp: number;
}

const PREFIX = 'status-topic-';
const SEPARATOR = ':connector-';

/**
 * Connectors' active topics (KIP-558) in `connect-status`, Kafka Connect's format:
 *
 *   key `status-topic-<topic>:connector-<connector>`
 *   value `{"topic": {"name", "connector", "task", "discoverTimestamp"}}`; null = reset
 *
 * A topic is written once, when a task of the connector first produces to or consumes
 * from it; a reset (or the connector's deletion) writes a tombstone per topic. Every
 * worker tails the topic, so any worker answers `GET /connectors/{c}/topics`.
 */
export class TopicStatusState {
  private readonly byConnector = new Map<string, Map<string, TopicStatus>>();

  static isKey(key: string): boolean {
    return key.startsWith(PREFIX);
  }

  /** Sorted topic names. */
  topics(connector: string): string[] {
    return [...(this.byConnector.get(connector)?.keys() ?? [])].sort();
  }

  has(connector: string, topic: string): boolean {
    return this.byConnector.get(connector)?.has(topic) ?? false;
  }

  /** Records `topic` as active for the connector; the record to write, or null when it was known. */
  add(connector: string, topic: string, task: number, now = Date.now()): StatusRecord | null {
    if (this.has(connector, topic)) return null;
    const status: TopicStatus = { name: topic, connector, task, discoverTimestamp: now };
    this.topicMap(connector).set(topic, status);
    return { key: keyOf(topic, connector), value: JSON.stringify({ topic: status }) };
  }

  /** Forgets the connector's topics; the tombstones to write. */
  reset(connector: string): StatusRecord[] {
    const topics = this.topics(connector);
    this.byConnector.delete(connector);
    return topics.map((topic) => ({ key: keyOf(topic, connector), value: null }));
  }

  /** Applies one `status-topic-*` record (other workers' writes and the log read at start). */
  apply(record: StatusRecord): void {
    const parsed = parseKey(record.key);
    if (!parsed) return;
    if (record.value === null) {
      this.byConnector.get(parsed.connector)?.delete(parsed.topic);
      return;
    }
    const value = JSON.parse(record.value) as { topic?: TopicStatus };
    if (value.topic) this.topicMap(parsed.connector).set(parsed.topic, value.topic);
  }

  private topicMap(connector: string): Map<string, TopicStatus> {
    let map = this.byConnector.get(connector);
    if (!map) this.byConnector.set(connector, (map = new Map()));
    return map;
  }
}

function keyOf(topic: string, connector: string): string {
  return `${PREFIX}${topic}${SEPARATOR}${connector}`;
}

/** Topic names cannot contain ':', so the first separator splits the key. */
function parseKey(key: string): { topic: string; connector: string } | null {
  if (!key.startsWith(PREFIX)) return null;
  const rest = key.slice(PREFIX.length);
  const at = rest.indexOf(SEPARATOR);
  return at < 0 ? null : { topic: rest.slice(0, at), connector: rest.slice(at + SEPARATOR.length) };
}
