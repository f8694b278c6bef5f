import { Controller, Get, Inject } from '@nestjs/common';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { ClusterIdentity } from '../metadata/cluster-identity';

/** GET /admin/cluster: the cluster id, the controller and the live brokers (what DescribeCluster answers), for the console and scripts. */
@Controller('admin/cluster')
export class ClusterController {
  constructor(
    private readonly identity: ClusterIdentity,
    @Inject(CLUSTER_VIEW) private readonly cluster: ClusterView,
  ) {}

  @Get()
  describe(): { clusterId: string; controllerId: number; nodeId: number; brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }> } {
    return {
      clusterId: this.identity.clusterId,
      controllerId: this.cluster.controllerId(),
      nodeId: this.identity.nodeId,
      brokers: this.cluster.liveBrokers().map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    };
  }
}
