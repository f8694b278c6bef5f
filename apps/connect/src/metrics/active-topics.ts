/**
 * Kafka Connect's active topics (KIP-558): the topics a connector's tasks produced to
 * (source) or consumed from (sink) since it was created or its topics were reset.
 * Contract: kept in this worker's memory (not in connect-status as Kafka does): a
 * worker restart starts the sets empty, refilled as records flow.
 */
export class ActiveTopics {
  private readonly byConnector = new Map<string, Set<string>>();

  add(connector: string, topic: string): void {
    let topics = this.byConnector.get(connector);
    if (!topics) this.byConnector.set(connector, (topics = new Set()));
    topics.add(topic);
  }

  /** Sorted topic names. */
  topics(connector: string): string[] {
    return [...(this.byConnector.get(connector) ?? [])].sort();
  }

  reset(connector: string): void {
    this.byConnector.delete(connector);
  }
}
