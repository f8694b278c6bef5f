import type { ClusterMetadataStore, VersionedPartitionState, Watcher } from '@millrace/cluster-metadata';
import type { TopicManager } from '../metadata/topic-manager';
import type { ReplicaManager } from '../partition/replica-manager';
import type { PartitionStateTable } from './partition-state-table';
import type { ReplicaFetchers } from './replica-fetchers';

export interface SyncLogger {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Every clustered broker follows the cluster catalogue in etcd:
 * - topic records → the topic manager's mirror (local catalogue, the logs of the replicas
 *   this broker hosts opened, those it no longer hosts closed and deleted);
 * - partition records → the PartitionStateTable (Metadata answers from it) and the
 *   leadership of the hosted partitions (ReplicaManager.applyLeadership), so a broker
 *   serves a partition exactly while the cluster names it the leader, and follows the
 *   leader (ReplicaFetchers) while it hosts a replica another broker leads.
 *
 * Each is listed, then watched from the list's revision + 1, so nothing written between
 * the two is missed. A partition record may arrive before its topic's logs are open: the
 * log picks its leadership from the table when it opens.
 */
export class ClusterCatalogueSync {
  private watchers: Watcher[] = [];

  constructor(
    private readonly store: ClusterMetadataStore,
    private readonly topics: TopicManager,
    private readonly replicas: ReplicaManager,
    private readonly table: PartitionStateTable,
    private readonly fetchers: ReplicaFetchers,
    private readonly logger: SyncLogger,
  ) {}

  async start(): Promise<void> {
    const parts = await this.store.listPartitions();
    for (const p of parts.partitions) this.onPartition(p);
    this.watchers.push(
      await this.store.watchPartitions(
        parts.revision,
        (p) => this.onPartition(p),
        ({ topic, partition }) => {
          this.table.delete(topic, partition);
          this.fetchers.update(topic, partition, undefined);
        },
      ),
    );
    const { topics, revision } = await this.store.readTopics();
    // Queued before the watch exists, so no newer watched change can be applied before it.
    const initial = this.topics.mirror.replaceAll(topics);
    this.watchers.push(
      await this.store.watchTopics(
        revision,
        (name, assignment) =>
          void this.topics.mirror.apply(name, assignment).then(
            () => this.followTopic(name),
            (err: unknown) => this.fail(`topic ${name}`, err),
          ),
        (name) => void this.topics.mirror.remove(name).catch((err: unknown) => this.fail(`deletion of topic ${name}`, err)),
      ),
    );
    await initial;
    for (const name of topics.keys()) this.followTopic(name);
    this.logger.info(`following the cluster catalogue: ${topics.size} topics, ${parts.partitions.length} partitions`);
  }

  async stop(): Promise<void> {
    for (const w of this.watchers.splice(0)) await w.cancel().catch(() => undefined);
    await this.fetchers.stopAll();
  }

  private onPartition(p: VersionedPartitionState): void {
    const before = this.table.leadershipOf(p.topic, p.partition);
    // Watch events of one key arrive in revision order; a replayed older one is ignored.
    if (before && before.partitionEpoch > p.state.partitionEpoch) return;
    this.table.set(p.topic, p.partition, p.state);
    this.replicas.applyLeadership(p.topic, p.partition);
    this.fetchers.update(p.topic, p.partition, p.state);
  }

  /** A topic's assignment changed (or its logs opened): its partitions' fetchers are re-decided. */
  private followTopic(name: string): void {
    const partitions = this.topics.get(name)?.partitions ?? 0;
    for (let p = 0; p < partitions; p++) this.fetchers.update(name, p, this.table.leadershipOf(name, p));
  }

  private fail(what: string, err: unknown): void {
    this.logger.warn(`applying ${what} from the cluster catalogue failed: ${(err as Error).message}`);
  }
}
