import { Inject, Injectable } from '@nestjs/common';
import type { ReassignError, ReassignRequest, ReassignResult } from '@millrace/cluster-metadata';
import {
  AlterPartitionReassignmentsApi,
  ErrorCode,
  type AlterPartitionReassignmentsRequestData,
  type AlterPartitionReassignmentsResponseInput,
} from '@millrace/protocol';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { ControllerForwarding } from '../cluster/controller-forwarding';
import { TopicManager } from '../metadata/topic-manager';
import type { ApiHandler, RequestContext } from './api-handler';

const ERROR_CODES: Record<ReassignError, ErrorCode> = {
  'unknown-topic-or-partition': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  'invalid-replica-assignment': ErrorCode.INVALID_REPLICA_ASSIGNMENT,
  'no-reassignment-in-progress': ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
  'not-controller': ErrorCode.NOT_CONTROLLER,
};

/**
 * AlterPartitionReassignments (45), v0: moves partitions to target replica lists, or
 * cancels a reassignment in progress (null replicas), with Kafka's semantics — new
 * replicas join as followers and catch up into the ISR, then leadership moves off a
 * removed leader and the removed replicas are dropped (their brokers delete their copy).
 * Decided and written by the controller (PartitionReassigner; steps in reassignment.ts);
 * another broker forwards the request to it. Per-partition errors: INVALID_REPLICA_ASSIGNMENT
 * (empty, duplicate or unregistered brokers), UNKNOWN_TOPIC_OR_PARTITION,
 * NO_REASSIGNMENT_IN_PROGRESS (cancelling nothing). The answer comes once the target is
 * recorded, not when the move completes (ListPartitionReassignments follows it); past
 * the request's timeoutMs without that, REQUEST_TIMED_OUT. The single broker can only "move" a partition onto itself.
 */
@Injectable()
export class AlterPartitionReassignmentsHandler implements ApiHandler<typeof AlterPartitionReassignmentsApi> {
  readonly api = AlterPartitionReassignmentsApi;
  readonly minVersion = 0;
  readonly maxVersion = 0;
  private readonly controller: ControllerForwarding;

  constructor(
    @Inject(CLUSTER_VIEW) private readonly view: ClusterView,
    private readonly topics: TopicManager,
  ) {
    this.controller = new ControllerForwarding(view);
  }

  async handle(request: AlterPartitionReassignmentsRequestData, context: RequestContext): Promise<AlterPartitionReassignmentsResponseInput> {
    const asked: ReassignRequest[] = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas })));
    return this.controller.route(AlterPartitionReassignmentsApi.apiKey, request, context, {
      onController: async (duty) => answer(await duty.alterReassignments(asked)),
      notController,
      single: () => answer(asked.map((r) => this.single(r))),
      timeout: { ms: request.timeoutMs, timedOut: () => timedOut(request.timeoutMs) },
    });
  }

  /** The single broker: a partition it has can only be placed on this broker. */
  private single(r: ReassignRequest): ReassignResult {
    const self = this.view.liveBrokers()[0]!.nodeId;
    const base = { topic: r.topic, partition: r.partition };
    if (!(r.partition >= 0 && r.partition < (this.topics.get(r.topic)?.partitions ?? 0))) return { ...base, error: 'unknown-topic-or-partition', message: `no partition ${r.topic}-${r.partition}` };
    if (r.replicas === null) return { ...base, error: 'no-reassignment-in-progress', message: `partition ${r.topic}-${r.partition} has no reassignment in progress to cancel` };
    if (r.replicas.length !== 1 || r.replicas[0] !== self) return { ...base, error: 'invalid-replica-assignment', message: `this single broker (node ${self}) is the only replica a partition can have` };
    return { ...base, error: null, message: null };
  }
}

function answer(results: readonly ReassignResult[]): AlterPartitionReassignmentsResponseInput {
  const topics = new Map<string, AlterPartitionReassignmentsResponseInput['responses'][number]['partitions']>();
  for (const r of results) {
    let list = topics.get(r.topic);
    if (!list) topics.set(r.topic, (list = []));
    list.push({ partitionIndex: r.partition, errorCode: r.error ? ERROR_CODES[r.error] : ErrorCode.NONE, errorMessage: r.message });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: [...topics].map(([name, partitions]) => ({ name, partitions })) };
}

function notController(message: string): AlterPartitionReassignmentsResponseInput {
  return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: message, responses: [] };
}

/** The request's timeoutMs passed before the controller recorded the targets (they may still be recorded). */
function timedOut(timeoutMs: number): AlterPartitionReassignmentsResponseInput {
  return { throttleTimeMs: 0, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: `the reassignment was not recorded within the request's timeoutMs (${timeoutMs} ms); it may still take effect`, responses: [] };
}
