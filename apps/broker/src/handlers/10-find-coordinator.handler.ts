import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, FindCoordinatorApi, type FindCoordinatorRequestData, type FindCoordinatorResponseInput } from '@millrace/protocol';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { CoordinatorLocator, type CoordinatorTopic } from '../cluster/coordinator-locator';
import { PartitionStateTable } from '../cluster/partition-state-table';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { CONSUMER_OFFSETS_TOPIC } from '../group-coordinator/consumer-offsets-log';
import { ClusterIdentity } from '../metadata/cluster-identity';
import { TopicManager } from '../metadata/topic-manager';
import { TRANSACTION_STATE_TOPIC } from '../transaction-coordinator';
import { TRANSACTION_CONFIG, type TransactionConfig } from '../transaction-coordinator/transaction-config';
import type { ApiHandler } from './api-handler';

/**
 * min.insync.replicas of a cluster's `__consumer_offsets` (capped at its replication
 * factor): an acknowledged offset commit is on two brokers, so it survives one's death.
 */
const OFFSETS_TOPIC_MIN_ISR = 2;

enum CoordinatorType {
  GROUP = 0,
  TRANSACTION = 1,
}

/**
 * FindCoordinator (10), v0-2. The single broker coordinates every group (key type 0) and
 * every transactional id (key type 1). In a cluster a group's coordinator is the leader
 * of its `__consumer_offsets` partition, a transactional id's the leader of its
 * `__transaction_state` partition (CoordinatorLocator; the topic is created on the first
 * request, as Kafka does).
 */
@Injectable()
export class FindCoordinatorHandler implements ApiHandler<typeof FindCoordinatorApi> {
  readonly api = FindCoordinatorApi;
  readonly minVersion = 0;
  readonly maxVersion = 2;
  private readonly locator: CoordinatorLocator | null;
  private readonly offsetsTopic: CoordinatorTopic;
  private readonly transactionTopic: CoordinatorTopic;

  constructor(
    private readonly identity: ClusterIdentity,
    @Inject(BROKER_CONFIG) config: BrokerConfig,
    topics: TopicManager,
    table: PartitionStateTable,
    @Inject(CLUSTER_VIEW) view: ClusterView,
    @Inject(TRANSACTION_CONFIG) txns: TransactionConfig,
  ) {
    this.locator = config.cluster ? new CoordinatorLocator(topics, table, view) : null;
    this.offsetsTopic = { name: CONSUMER_OFFSETS_TOPIC, numPartitions: config.offsetsTopicNumPartitions, replicationFactor: config.offsetsTopicReplicationFactor, minInsyncReplicas: OFFSETS_TOPIC_MIN_ISR };
    this.transactionTopic = { name: TRANSACTION_STATE_TOPIC, numPartitions: txns.stateLogNumPartitions, replicationFactor: txns.stateLogReplicationFactor, minInsyncReplicas: txns.stateLogMinIsr };
  }

  async handle(request: FindCoordinatorRequestData): Promise<FindCoordinatorResponseInput> {
    if ((request.keyType === CoordinatorType.GROUP || request.keyType === CoordinatorType.TRANSACTION) && this.locator) {
      const found = await this.locator.locate(request.keyType === CoordinatorType.GROUP ? this.offsetsTopic : this.transactionTopic, request.key);
      if (!found.node) return { throttleTimeMs: 0, errorCode: found.errorCode, errorMessage: found.errorMessage, nodeId: -1, host: '', port: -1 };
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: found.node.nodeId, host: found.node.host, port: found.node.port };
    }
    const { nodeId, host, port } = this.identity;
    if (request.keyType === CoordinatorType.GROUP || request.keyType === CoordinatorType.TRANSACTION) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId, host, port };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `no coordinator for key type ${request.keyType}`, nodeId: -1, host: '', port: -1 };
  }
}
