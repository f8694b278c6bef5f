/** A live broker, as it registered itself (key brokers/<nodeId>, under its lease). */
export interface BrokerRegistration {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
  /** The broker's HTTP port (REST API, schema registry) on `host`; absent in registrations written before it was added. */
  readonly httpPort?: number;
  /** Random per process start: tells a restarted broker from the one before it. */
  readonly incarnationId: string;
}

/** The controller's claim (key `controller`, under its lease). */
export interface ControllerClaim {
  readonly nodeId: number;
  readonly incarnationId: string;
}

/** The current controller with its epoch (the claim's etcd create revision). */
export interface ControllerInfo extends ControllerClaim {
  readonly epoch: number;
}

/**
 * A partition reassignment in progress (Kafka's adding / removing replicas): the
 * partition's `replicas` are then the target followed by `removing`; `adding` are the
 * target replicas not among the original ones (original = replicas minus adding).
 */
export interface PartitionReassignment {
  readonly adding: readonly number[];
  readonly removing: readonly number[];
}

/**
 * A topic in the cluster catalogue (key topics/<name>): its id, replica assignment
 * (replicas[p] lists broker ids, preferred leader first), topic-level config
 * overrides (absent = none) and the reassignments in progress by partition index
 * (absent or empty = none).
 */
export interface TopicAssignment {
  readonly topicId: string;
  readonly replicas: readonly (readonly number[])[];
  readonly configs?: Readonly<Record<string, string>>;
  readonly reassignments?: Readonly<Record<string, PartitionReassignment>>;
}

/**
 * Leadership of one partition (key partitions/<topic>/<p>), Kafka's LeaderAndIsr:
 * `leader` -1 when offline; `leaderEpoch` bumps on every leader change;
 * `partitionEpoch` bumps on every change of this record (ISR changes included).
 */
export interface PartitionState {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly partitionEpoch: number;
}

/** A partition state with the etcd mod revision it was read at (the CAS token). */
export interface VersionedPartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly state: PartitionState;
  readonly revision: string;
}
