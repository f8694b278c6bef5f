import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@millrace/app-common';
import type { ClusterMetadataStore } from '@millrace/cluster-metadata';
import { MetadataModule } from '../metadata/metadata.module';
import { TopicManager } from '../metadata/topic-manager';
import { PartitionModule } from '../partition/partition.module';
import { ReplicaManager } from '../partition/replica-manager';
import { ClusterCatalogueSync } from './cluster-catalogue-sync';
import { CLUSTER_METADATA_STORE } from './cluster.module';
import { PartitionStateTable } from './partition-state-table';

/**
 * Cluster mode: starts following the cluster catalogue (ClusterCatalogueSync) once the
 * broker is up, and stops on shutdown. Inert on the single broker.
 */
@Injectable()
export class ClusterCatalogueLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private sync: ClusterCatalogueSync | null = null;

  constructor(
    @Inject(CLUSTER_METADATA_STORE) private readonly store: ClusterMetadataStore | null,
    private readonly topics: TopicManager,
    private readonly replicas: ReplicaManager,
    private readonly table: PartitionStateTable,
    @Inject(ROOT_LOGGER) private readonly root: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.store) return;
    const logger = this.root.child({ component: 'cluster-catalogue' });
    this.sync = new ClusterCatalogueSync(this.store, this.topics, this.replicas, this.table, { info: (m) => logger.info(m), warn: (m) => logger.warn(m) });
    await this.sync.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.sync?.stop();
  }
}

/** The cluster catalogue's mirror on this broker (topics, replicas hosted, partition leadership). */
@Module({
  imports: [MetadataModule, PartitionModule],
  providers: [ClusterCatalogueLifecycle],
})
export class ClusterCatalogueModule {}
