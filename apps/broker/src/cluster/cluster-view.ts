/** A broker as Metadata and DescribeCluster list it. */
export interface BrokerEndpoint {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

/**
 * What this broker knows of the cluster it is part of: the live brokers and the
 * controller. The single embedded broker is a cluster of one (SingleBrokerView); a
 * clustered broker reads both from etcd (ClusterMembership).
 */
export interface ClusterView {
  /** Live brokers, by node id; always includes this broker. */
  liveBrokers(): readonly BrokerEndpoint[];
  /** Node id of the controller, -1 while none is elected. */
  controllerId(): number;
}

/** Nest injection token for the ClusterView. */
export const CLUSTER_VIEW = Symbol('CLUSTER_VIEW');

/** The single embedded broker: it is the whole cluster and its own controller. */
export class SingleBrokerView implements ClusterView {
  private readonly brokers: readonly BrokerEndpoint[];

  constructor(private readonly self: BrokerEndpoint) {
    this.brokers = [self];
  }

  liveBrokers(): readonly BrokerEndpoint[] {
    return this.brokers;
  }

  controllerId(): number {
    return this.self.nodeId;
  }
}
