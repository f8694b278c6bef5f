import { Inject, Injectable } from '@nestjs/common';
import { ClusterMembership } from '../cluster/cluster-membership';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { PartitionStateTable } from '../cluster/partition-state-table';
import { REGISTRY_CONFIG, type RegistryConfig } from './registry-config';
import { routeWrite, type WriteRoute } from './registry-write-route';

/**
 * Who the schema registry's single writer is (see registry-write-route.ts): the broker
 * leading partition 0 of the store topic, from the cluster's partition records.
 *
 * Clustered only when this broker is in cluster mode and the store is this cluster's own
 * topic; with MILLRACE_REGISTRY_BOOTSTRAP (the store in another Kafka cluster) or on the
 * single broker every write is local, as before.
 */
@Injectable()
export class RegistryLeadership {
  constructor(
    @Inject(CLUSTER_VIEW) private readonly view: ClusterView,
    private readonly table: PartitionStateTable,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  get clustered(): boolean {
    return this.view instanceof ClusterMembership && this.config.bootstrap === undefined;
  }

  get nodeId(): number {
    return this.table.nodeId;
  }

  /** The store partition's leader and leader epoch as recorded; undefined when unknown. */
  leader(): { leader: number; leaderEpoch: number } | undefined {
    const s = this.table.leadershipOf(this.config.topic, 0);
    return s ? { leader: s.leader, leaderEpoch: s.leaderEpoch } : undefined;
  }

  /** Where a write is carried out now (`forwarded`: another broker sent it here). */
  route(forwarded: boolean): WriteRoute {
    const leaderId = this.leader()?.leader;
    const leaderHttp = leaderId !== undefined && leaderId >= 0 && this.view instanceof ClusterMembership ? this.view.httpEndpointOf(leaderId) : undefined;
    return routeWrite({ clustered: this.clustered, selfId: this.nodeId, leaderId, leaderHttp, forwarded });
  }
}
