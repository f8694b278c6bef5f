import { Injectable } from '@nestjs/common';
import { OffsetDeleteApi, type OffsetDeleteRequestData, type OffsetDeleteResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import { ReplicaManager } from '../partition/replica-manager';
import type { ApiHandler } from './api-handler';
import { answerOffsetDelete } from './offset-requests';

/**
 * OffsetDelete (47), v0: removes committed offsets of a group (rules and persistence in
 * GroupCoordinator.deleteOffsets); partitions this broker does not host get
 * UNKNOWN_TOPIC_OR_PARTITION (see answerOffsetDelete).
 */
@Injectable()
export class OffsetDeleteHandler implements ApiHandler<typeof OffsetDeleteApi> {
  readonly api = OffsetDeleteApi;
  readonly minVersion = 0;
  readonly maxVersion = 0;

  constructor(
    private readonly groups: GroupCoordinator,
    private readonly replicas: ReplicaManager,
  ) {}

  handle(request: OffsetDeleteRequestData): Promise<OffsetDeleteResponseInput> {
    return answerOffsetDelete(this.groups, (topic, p) => this.replicas.knowsPartition(topic, p), request);
  }
}
