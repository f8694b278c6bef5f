import { Inject, Injectable } from '@nestjs/common';
import type { ElectionResult } from '@millrace/cluster-metadata';
import { ElectLeadersApi, ErrorCode, type ElectLeadersRequestData, type ElectLeadersResponseInput } from '@millrace/protocol';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { ControllerForwarding, STOPPED_BEING_CONTROLLER } from '../cluster/controller-forwarding';
import { TopicManager } from '../metadata/topic-manager';
import type { ApiHandler, RequestContext } from './api-handler';

const ELECTION_TYPES = { 0: 'preferred', 1: 'unclean' } as const;

const ERRORS: Record<NonNullable<ElectionResult['error']>, { code: ErrorCode; message: string }> = {
  'election-not-needed': { code: ErrorCode.ELECTION_NOT_NEEDED, message: 'the partition is already led by the replica this election would choose' },
  'preferred-leader-not-available': { code: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, message: 'the preferred replica (the first assigned) is not live or not in the ISR' },
  'eligible-leaders-not-available': { code: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, message: 'no assigned replica is live' },
  'unknown-topic-or-partition': { code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: 'no such topic-partition' },
  'not-controller': { code: ErrorCode.NOT_CONTROLLER, message: STOPPED_BEING_CONTROLLER },
};

/**
 * ElectLeaders (43), v0-2: preferred (type 0) or unclean (type 1) leader election for the
 * listed partitions, or every partition when the list is null — decided and written by
 * the controller (ClusterController.electLeaders, the auto-rebalance's election path;
 * decisions in leader-election.ts). A broker that is not the controller forwards the
 * request to it. Per-partition errors as Kafka: ELECTION_NOT_NEEDED,
 * PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE,
 * UNKNOWN_TOPIC_OR_PARTITION; "all partitions" answers only those where something
 * happened or failed. The request's timeoutMs bounds the wait for the controller's
 * decision (here or forwarded): past it every partition asked answers REQUEST_TIMED_OUT.
 * The single broker leads every partition itself: always ELECTION_NOT_NEEDED.
 */
@Injectable()
export class ElectLeadersHandler implements ApiHandler<typeof ElectLeadersApi> {
  readonly api = ElectLeadersApi;
  readonly minVersion = 0;
  readonly maxVersion = 2;
  private readonly controller: ControllerForwarding;

  constructor(
    @Inject(CLUSTER_VIEW) view: ClusterView,
    private readonly topics: TopicManager,
  ) {
    this.controller = new ControllerForwarding(view);
  }

  async handle(request: ElectLeadersRequestData, context: RequestContext): Promise<ElectLeadersResponseInput> {
    const which = request.topicPartitions === null ? null : request.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    const type = ELECTION_TYPES[request.electionType as 0 | 1] as (typeof ELECTION_TYPES)[0 | 1] | undefined;
    if (!type) return this.failAll(which, ErrorCode.INVALID_REQUEST, `election type ${request.electionType} is unknown: 0 (preferred) or 1 (unclean)`);
    return this.controller.route(ElectLeadersApi.apiKey, request, context, {
      onController: async (duty) => answer(await duty.electLeaders(type, which)),
      notController: (message) => this.failAll(which, ErrorCode.NOT_CONTROLLER, message),
      single: () => answer((which ?? []).map(({ topic, partition }) => ({ topic, partition, error: partition >= 0 && partition < (this.topics.get(topic)?.partitions ?? 0) ? 'election-not-needed' : 'unknown-topic-or-partition' }))),
      timeout: { ms: request.timeoutMs, timedOut: () => this.timedOut(which, request.timeoutMs) },
    });
  }

  /** The request's timeoutMs passed before the controller decided (the election may still complete). */
  private timedOut(which: readonly { topic: string; partition: number }[] | null, timeoutMs: number): ElectLeadersResponseInput {
    return this.failAll(which, ErrorCode.REQUEST_TIMED_OUT, `the election did not complete within the request's timeoutMs (${timeoutMs} ms); it may still take effect`);
  }

  private failAll(which: readonly { topic: string; partition: number }[] | null, code: ErrorCode, message: string): ElectLeadersResponseInput {
    const byTopic = groupByTopic((which ?? []).map((p) => ({ ...p, errorCode: code, errorMessage: message })));
    return { throttleTimeMs: 0, errorCode: code, replicaElectionResults: byTopic };
  }
}

function answer(results: readonly ElectionResult[]): ElectLeadersResponseInput {
  const rows = results.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: r.error ? ERRORS[r.error].code : ErrorCode.NONE, errorMessage: r.error ? ERRORS[r.error].message : null }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: groupByTopic(rows) };
}

function groupByTopic(rows: readonly { topic: string; partition: number; errorCode: number; errorMessage: string | null }[]): ElectLeadersResponseInput['replicaElectionResults'] {
  const topics = new Map<string, { partitionId: number; errorCode: number; errorMessage: string | null }[]>();
  for (const r of rows) {
    let list = topics.get(r.topic);
    if (!list) topics.set(r.topic, (list = []));
    list.push({ partitionId: r.partition, errorCode: r.errorCode, errorMessage: r.errorMessage });
  }
  return [...topics].map(([topic, partitionResult]) => ({ topic, partitionResult }));
}
