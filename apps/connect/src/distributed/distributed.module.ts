import { Module } from '@nestjs/common';
import { ConfigStoreModule } from '../storage/config-store.module';
import { StatusStoreModule } from '../storage/status-store.module';
import { ClusterMembershipService } from './cluster-membership.service';

/** Provides the ClusterMembershipService: this worker's place in the connect cluster. */
@Module({ imports: [ConfigStoreModule, StatusStoreModule], providers: [ClusterMembershipService], exports: [ClusterMembershipService] })
export class DistributedModule {}
