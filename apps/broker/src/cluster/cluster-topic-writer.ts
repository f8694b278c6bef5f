import { CreateTopicsApi, ErrorCode } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import type { ClusterMetadataStore, PartitionState, PlacementBroker, TopicAssignment } from '@millrace/cluster-metadata';
import { ControllerFencedError } from '@millrace/cluster-metadata';
import { BROKER_CLIENT_ID_PREFIX, type ClusterTopicPort, type ForwardedTopicSpec } from '../metadata/cluster-topic-port';
import type { ClusterMembership } from './cluster-membership';

/** CreateTopics version used to forward an auto-creation to the controller. */
const FORWARD_VERSION = 4;
const FORWARD_TIMEOUT_MS = 10_000;

/**
 * The cluster catalogue writes of the topic manager (ClusterTopicPort), in etcd through
 * ClusterMetadataStore. Assignment changes are made only by this broker while it holds
 * the controller claim, each fenced by its controller epoch (a superseded controller's
 * write is refused: 'not-controller'). New partitions start led by their first replica
 * with the ISR = the replicas, leader epoch 0. Config overrides are written by any
 * broker with compare-and-swap on the topic record (not a leadership decision).
 */
export class ClusterTopicWriter implements ClusterTopicPort {
  constructor(
    private readonly store: ClusterMetadataStore,
    private readonly membership: ClusterMembership,
  ) {}

  liveBrokers(): readonly PlacementBroker[] {
    return this.membership.liveBrokers();
  }

  isController(): boolean {
    return this.membership.ownControllerClaim() !== null;
  }

  async createTopic(name: string, assignment: TopicAssignment): Promise<'created' | 'exists' | 'not-controller'> {
    const controller = this.membership.ownControllerClaim();
    if (!controller) return 'not-controller';
    const states = assignment.replicas.map(initialState);
    return this.fenced(async () => ((await this.store.createTopic(controller, name, assignment, states)) ? 'created' : 'exists'));
  }

  async deleteTopic(name: string): Promise<'deleted' | 'missing' | 'not-controller'> {
    const controller = this.membership.ownControllerClaim();
    if (!controller) return 'not-controller';
    return this.fenced(async () => ((await this.store.deleteTopic(controller, name)) ? 'deleted' : 'missing'));
  }

  async addPartitions(name: string, added: readonly (readonly number[])[]): Promise<'ok' | 'missing' | 'not-controller'> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const controller = this.membership.ownControllerClaim();
      if (!controller) return 'not-controller';
      const { topics, revisions } = await this.store.readTopics();
      const current = topics.get(name);
      if (!current) return 'missing';
      const next: TopicAssignment = { ...current, replicas: [...current.replicas, ...added] };
      const result = await this.store.addPartitions(controller, name, revisions.get(name)!, next, added.map(initialState));
      if (result === 'ok') return 'ok';
      if (result === 'fenced') return 'not-controller';
    }
    throw new Error(`topic ${name} kept changing while partitions were added; try again`);
  }

  async setTopicConfigs(name: string, configs: Record<string, string>): Promise<'ok' | 'missing'> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { topics, revisions } = await this.store.readTopics();
      const current = topics.get(name);
      if (!current) return 'missing';
      if (await this.store.replaceTopic(name, revisions.get(name)!, { ...current, configs })) return 'ok';
    }
    throw new Error(`topic ${name} kept changing while its configs were written; try again`);
  }

  async forwardCreateTopic(name: string, spec?: ForwardedTopicSpec): Promise<{ errorCode: ErrorCode; errorMessage: string | null }> {
    const controllerId = this.membership.controllerId();
    const target = this.membership.liveBrokers().find((b) => b.nodeId === controllerId);
    if (!target) return { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, errorMessage: 'no controller is elected right now' };
    const conn = await KafkaConnection.open(target.host, target.port, `${BROKER_CLIENT_ID_PREFIX}${this.membership.nodeId}`, FORWARD_TIMEOUT_MS);
    try {
      const r = await conn.send(CreateTopicsApi.apiKey, FORWARD_VERSION, {
        topics: [
          {
            name,
            numPartitions: spec?.numPartitions ?? -1,
            replicationFactor: spec?.replicationFactor ?? -1,
            assignments: [],
            configs: Object.entries(spec?.configs ?? {}).map(([k, value]) => ({ name: k, value })),
          },
        ],
        timeoutMs: FORWARD_TIMEOUT_MS,
        validateOnly: false,
      });
      const t = r.topics[0];
      return t ? { errorCode: t.errorCode, errorMessage: t.errorMessage } : { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'the controller answered no topic' };
    } finally {
      conn.close();
    }
  }

  private async fenced<T>(write: () => Promise<T>): Promise<T | 'not-controller'> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof ControllerFencedError) return 'not-controller';
      throw err;
    }
  }
}

function initialState(replicas: readonly number[]): PartitionState {
  return { leader: replicas[0], leaderEpoch: 0, isr: [...replicas], partitionEpoch: 0 };
}
