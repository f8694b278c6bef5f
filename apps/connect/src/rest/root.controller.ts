import { Controller, Get } from '@nestjs/common';
import { ClusterInfoService } from '../cluster/cluster-info.service';

/** `GET /`: `{version, commit, kafka_cluster_id}`. */
@Controller()
export class RootController {
  constructor(private readonly cluster: ClusterInfoService) {}

  @Get()
  root(): ReturnType<ClusterInfoService['info']> {
    return this.cluster.info();
  }
}
