import { Controller, Get, Inject } from '@nestjs/common';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { ClusterIdentity } from '../metadata/cluster-identity';
import type { ClusterReplicaHealth } from './replica-health';
import { ReplicaHealthService } from './replica-health.service';

/**
 * GET /admin/cluster: the cluster id, the controller and the live brokers (what
 * DescribeCluster answers), plus `replication` — every known broker with liveness and
 * its leader/replica counts, and the under-replicated and offline (leaderless)
 * partitions by name with their counts — for the console, the CLI and scripts.
 */
@Controller('admin/cluster')
export class ClusterController {
  constructor(
    private readonly identity: ClusterIdentity,
    @Inject(CLUSTER_VIEW) private readonly cluster: ClusterView,
    private readonly replicaHealth: ReplicaHealthService,
  ) {}

  @Get()
  describe(): { clusterId: string; controllerId: number; nodeId: number; brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>; replication: ClusterReplicaHealth } {
    return {
      clusterId: this.identity.clusterId,
      controllerId: this.cluster.controllerId(),
      nodeId: this.identity.nodeId,
      brokers: this.cluster.liveBrokers().map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      replication: this.replicaHealth.cluster(),
    };
  }
}
