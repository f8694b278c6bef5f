import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  ListPartitionReassignmentsApi,
  type ListPartitionReassignmentsRequestData,
  type ListPartitionReassignmentsResponseInput,
} from '@millrace/protocol';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { ControllerForwarding } from '../cluster/controller-forwarding';
import type { ApiHandler, RequestContext } from './api-handler';

/**
 * ListPartitionReassignments (46), v0: the reassignments in progress (all, or those of the
 * listed partitions) with the partition's current replicas (target + removing, as
 * Metadata lists them meanwhile) and Kafka's adding / removing replicas, read by the
 * controller from etcd; another broker forwards the request to it. Partitions without a
 * reassignment are left out, as in Kafka. The single broker never has one.
 */
@Injectable()
export class ListPartitionReassignmentsHandler implements ApiHandler<typeof ListPartitionReassignmentsApi> {
  readonly api = ListPartitionReassignmentsApi;
  readonly minVersion = 0;
  readonly maxVersion = 0;
  private readonly controller: ControllerForwarding;

  constructor(@Inject(CLUSTER_VIEW) view: ClusterView) {
    this.controller = new ControllerForwarding(view);
  }

  async handle(request: ListPartitionReassignmentsRequestData, context: RequestContext): Promise<ListPartitionReassignmentsResponseInput> {
    const none: ListPartitionReassignmentsResponseInput = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] };
    return this.controller.route(ListPartitionReassignmentsApi.apiKey, request, context, {
      onController: async (duty) => {
        const ongoing = await duty.listReassignments(request.topics?.map((t) => ({ topic: t.name, partitions: t.partitionIndexes })) ?? null);
        const topics = new Map<string, ListPartitionReassignmentsResponseInput['topics'][number]['partitions']>();
        for (const r of ongoing) {
          let list = topics.get(r.topic);
          if (!list) topics.set(r.topic, (list = []));
          list.push({ partitionIndex: r.partition, replicas: [...r.replicas], addingReplicas: [...r.adding], removingReplicas: [...r.removing] });
        }
        return { ...none, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) };
      },
      notController: (message) => ({ ...none, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: message }),
      single: () => none,
    });
  }
}
