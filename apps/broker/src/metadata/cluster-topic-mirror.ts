import type { TopicAssignment } from '@millrace/cluster-metadata';
import type { LogConfig } from '@millrace/storage';
import type { PartitionHost } from './topic-manager';
import { INTERNAL_TOPICS } from './topic-name';
import type { TopicMetadata, TopicStore } from './topic-store';

/**
 * Cluster mode: keeps this broker's topic catalogue (TopicStore, `meta/topics.json`) a
 * copy of the cluster catalogue in etcd, and the logs on disk those of the replicas this
 * broker hosts. Fed by the catalogue watch (cluster/cluster-catalogue-sync.ts); the
 * topics it writes carry their `replicas`, which is how a cluster topic is told from a
 * broker-local one.
 *
 * Changes apply one at a time in the order they arrive: the catalogue entry first, then
 * the logs (opened for newly hosted replicas, closed and deleted for replicas moved away
 * or topics deleted). A topic re-created under the same name (new topic id) loses the old
 * one's logs first. Waiters (`waitUntil`) are checked after every applied change, so a
 * request that changed the cluster catalogue answers once this broker sees the result.
 */
export class ClusterTopicMirror {
  private chain: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly store: TopicStore,
    private readonly host: PartitionHost,
    private readonly nodeId: number,
    private readonly configOf: (topic: TopicMetadata) => LogConfig,
  ) {}

  /** Whether this broker hosts a replica of the partition (always, for a broker-local topic). */
  hosts(topic: TopicMetadata, partition: number): boolean {
    return topic.replicas === undefined || (topic.replicas[partition]?.includes(this.nodeId) ?? false);
  }

  /** Start-up: the whole cluster catalogue. Cluster topics it no longer has are removed here. */
  replaceAll(topics: ReadonlyMap<string, TopicAssignment>): Promise<void> {
    return this.enqueue(async () => {
      for (const t of this.store.all()) if (t.replicas !== undefined && !topics.has(t.name)) await this.removeNow(t.name);
      for (const [name, assignment] of topics) await this.applyNow(name, assignment);
    });
  }

  apply(name: string, assignment: TopicAssignment): Promise<void> {
    return this.enqueue(() => this.applyNow(name, assignment));
  }

  remove(name: string): Promise<void> {
    return this.enqueue(() => this.removeNow(name));
  }

  /** Resolves once `done()` holds after some applied change (or now); rejects after `timeoutMs`. */
  waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${what} did not reach this broker's catalogue within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private enqueue(change: () => Promise<void>): Promise<void> {
    const run = this.chain.then(change).finally(() => {
      for (const w of [...this.waiters]) w();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyNow(name: string, a: TopicAssignment): Promise<void> {
    const next: TopicMetadata = {
      name,
      topicId: a.topicId,
      partitions: a.replicas.length,
      replicationFactor: a.replicas[0]?.length ?? 1,
      configs: { ...(a.configs ?? {}) },
      internal: INTERNAL_TOPICS.has(name),
      replicas: a.replicas.map((r) => [...r]),
    };
    let old = this.store.get(name);
    if (old && old.topicId !== next.topicId) {
      await this.removeNow(name);
      old = undefined;
    }
    await this.store.update((topics) => void topics.set(name, next));
    const all = Array.from({ length: next.partitions }, (_, p) => p);
    if (old) {
      const movedAway = Array.from({ length: old.partitions }, (_, p) => p).filter((p) => this.hosts(old!, p) && !this.hosts(next, p));
      if (movedAway.length > 0) await this.host.removePartitions(name, movedAway);
    }
    await this.host.openPartitions(next, all.filter((p) => this.hosts(next, p)), this.configOf(next));
    if (old && JSON.stringify(old.configs) !== JSON.stringify(next.configs)) this.host.reconfigure(next, this.configOf(next));
  }

  private async removeNow(name: string): Promise<void> {
    const removed = await this.store.update((topics) => {
      const t = topics.get(name);
      if (t?.replicas === undefined) return undefined;
      topics.delete(name);
      return t;
    });
    if (removed) await this.host.deleteTopic(removed);
  }
}
