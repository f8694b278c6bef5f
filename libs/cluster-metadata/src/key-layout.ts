/**
 * Where a Millrace cluster keeps its metadata in etcd (v3 API). Everything lives under
 * `/millrace/<clusterId>/` (MILLRACE_CLUSTER_ID), so several clusters can share one etcd.
 * Values are UTF-8 JSON; field lists are in the types of cluster-types.ts.
 *
 *   cluster-id                       the Kafka cluster id (22-char base64url, plain text),
 *                                    created once by the first broker to start
 *   brokers/<nodeId>                 BrokerRegistration, put under the broker's lease:
 *                                    gone within the lease TTL after the broker dies
 *   controller                       ControllerClaim, put under the controller's lease,
 *                                    created only when absent (the election); its etcd
 *                                    create revision is the controller epoch
 *   topics/<name>                    TopicAssignment (topic id, replicas per partition,
 *                                    config overrides), created only when absent; grown
 *                                    (CreatePartitions) and deleted only by the controller
 *                                    (fenced), configs replaced by compare-and-swap
 *   partitions/<topic>/<partition>   PartitionState (leader, leader epoch, ISR, partition
 *                                    epoch), changed only by compare-and-swap on its mod
 *                                    revision: by the controller while its claim still
 *                                    stands (leader elections), by the leader for its ISR
 *                                    (shrink/expand); deleted with its topic
 *   producer-id-block                the first producer id not yet handed to any broker
 *                                    (decimal text); a broker takes a block by moving it
 *                                    forward with compare-and-swap (Kafka's
 *                                    AllocateProducerIds), so no two brokers share an id
 *
 * Topic names cannot contain '/' (Kafka's legal characters are [a-zA-Z0-9._-]), so the
 * partition key parses back unambiguously.
 */
export class ClusterKeys {
  readonly root: string;

  constructor(readonly clusterId: string) {
    if (!/^[A-Za-z0-9._-]+$/.test(clusterId)) throw new Error(`cluster id '${clusterId}' must match [A-Za-z0-9._-]+ (set MILLRACE_CLUSTER_ID)`);
    this.root = `/millrace/${clusterId}/`;
  }

  get kafkaClusterId(): string {
    return `${this.root}cluster-id`;
  }

  get brokersPrefix(): string {
    return `${this.root}brokers/`;
  }

  broker(nodeId: number): string {
    return `${this.brokersPrefix}${nodeId}`;
  }

  get controller(): string {
    return `${this.root}controller`;
  }

  get producerIdBlock(): string {
    return `${this.root}producer-id-block`;
  }

  get topicsPrefix(): string {
    return `${this.root}topics/`;
  }

  topic(name: string): string {
    return `${this.topicsPrefix}${name}`;
  }

  get partitionsPrefix(): string {
    return `${this.root}partitions/`;
  }

  partitionsOf(topic: string): string {
    return `${this.partitionsPrefix}${topic}/`;
  }

  partition(topic: string, partition: number): string {
    return `${this.partitionsOf(topic)}${partition}`;
  }

  /** The topic and partition of a `partitions/<topic>/<partition>` key, null for any other key. */
  parsePartition(key: string): { topic: string; partition: number } | null {
    if (!key.startsWith(this.partitionsPrefix)) return null;
    const rest = key.slice(this.partitionsPrefix.length);
    const slash = rest.lastIndexOf('/');
    if (slash <= 0) return null;
    const partition = Number(rest.slice(slash + 1));
    return Number.isInteger(partition) && partition >= 0 ? { topic: rest.slice(0, slash), partition } : null;
  }
}
