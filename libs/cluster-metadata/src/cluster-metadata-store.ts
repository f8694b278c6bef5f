import { Etcd3, type IKeyValue, type Watcher } from 'etcd3';

export type { Watcher };
import { BrokerSession } from './broker-session';
import type { BrokerRegistration, ControllerClaim, ControllerInfo, PartitionState, TopicAssignment, VersionedPartitionState } from './cluster-types';
import { ClusterKeys } from './key-layout';

/** Outcome of a compare-and-swap write. 'stale': the record changed since it was read; 'fenced': the writer is no longer the controller. */
export type CasResult = 'ok' | 'stale' | 'fenced';

/**
 * Typed access to a cluster's metadata in etcd (layout: key-layout.ts). Every write that
 * decides leadership is a transaction with compare clauses:
 * - a partition state changes only if its mod revision is still the one the writer read
 *   (a writer that read old state can never overwrite newer state);
 * - a controller's write also requires its claim to still exist with the create revision
 *   it was elected at (its epoch), so a controller frozen past its lease cannot write
 *   once a successor is elected, even with a fresh read.
 *
 * Watches report changes after a given revision, so a reader lists, then watches from
 * the list's revision + 1 and misses nothing.
 */
export class ClusterMetadataStore {
  readonly keys: ClusterKeys;

  constructor(
    readonly client: Etcd3,
    clusterId: string,
  ) {
    this.keys = new ClusterKeys(clusterId);
  }

  /** Connects to `endpoints` (MILLRACE_ETCD_ENDPOINTS, comma-separated http URLs). */
  static connect(endpoints: readonly string[], clusterId: string): ClusterMetadataStore {
    return new ClusterMetadataStore(new Etcd3({ hosts: [...endpoints], dialTimeout: 5000 }), clusterId);
  }

  close(): void {
    this.client.close();
  }

  // ---------------------------------------------------------------- cluster id

  /**
   * The cluster's Kafka cluster id: `candidate` if this is the first broker to ask (it is
   * stored), else the one stored by the first.
   */
  async ensureKafkaClusterId(candidate: string): Promise<string> {
    const key = this.keys.kafkaClusterId;
    const res = await this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(candidate)).else(this.client.get(key)).commit();
    if (res.succeeded) return candidate;
    const kv = res.responses[0]?.response_range?.kvs[0];
    if (!kv) throw new Error(`etcd key ${key} vanished while reading it`);
    return kv.value.toString('utf8');
  }

  // ---------------------------------------------------------------- producer ids

  /**
   * Takes the next block of `size` producer ids for one broker: [start, start + size),
   * never overlapping a block any broker took before (compare-and-swap on the counter,
   * retried when another broker moved it first). `atLeast` (the broker's own high mark,
   * e.g. from ids it handed out before the cluster existed) moves the counter past it.
   */
  async allocateProducerIdBlock(size: number, atLeast = 0): Promise<{ start: number; end: number }> {
    const key = this.keys.producerIdBlock;
    for (let attempt = 0; attempt < 50; attempt++) {
      const res = await this.client.get(key).exec();
      const kv = res.kvs[0];
      const current = kv ? Number(kv.value.toString('utf8')) : 0;
      if (!Number.isSafeInteger(current) || current < 0) throw new Error(`etcd key ${key} holds ${JSON.stringify(kv?.value.toString('utf8'))}, not a producer id`);
      const start = Math.max(current, atLeast);
      const end = start + size;
      const cas = kv ? this.client.if(key, 'Mod', '==', kv.mod_revision) : this.client.if(key, 'Create', '==', 0);
      const done = await cas.then(this.client.put(key).value(String(end))).commit();
      if (done.succeeded) return { start, end };
    }
    throw new Error(`producer id block ${key} kept changing; try again`);
  }

  // ---------------------------------------------------------------- brokers

  /** Registers this broker under a new lease of `ttlSeconds` (see BrokerSession). */
  registerBroker(registration: BrokerRegistration, ttlSeconds: number): Promise<BrokerSession> {
    return BrokerSession.register(this.client, this.keys, registration, ttlSeconds);
  }

  /** Live brokers by node id, with the etcd revision of the read. */
  async listBrokers(): Promise<{ brokers: BrokerRegistration[]; revision: string }> {
    const res = await this.client.getAll().prefix(this.keys.brokersPrefix).exec();
    const brokers = res.kvs.map((kv) => parseJson<BrokerRegistration>(kv)).sort((a, b) => a.nodeId - b.nodeId);
    return { brokers, revision: res.header.revision };
  }

  /** Calls `onChange` with the full live-broker list whenever a broker registers or leaves. */
  async watchBrokers(onChange: (brokers: BrokerRegistration[]) => void): Promise<Watcher> {
    const { revision } = await this.listBrokers();
    const watcher = await this.client.watch().prefix(this.keys.brokersPrefix).startRevision(nextRevision(revision)).create();
    const refresh = (): void => {
      this.listBrokers().then(
        (r) => onChange(r.brokers),
        () => undefined,
      );
    };
    watcher.on('put', refresh).on('delete', refresh);
    return watcher;
  }

  // ---------------------------------------------------------------- controller

  /**
   * Claims the controller role for `session`'s broker if nobody holds it: the claim lives
   * under the session's lease. Returns the new controller info (its epoch) when won, null
   * when another broker holds the claim.
   */
  async tryClaimController(session: BrokerSession): Promise<ControllerInfo | null> {
    const claim: ControllerClaim = { nodeId: session.registration.nodeId, incarnationId: session.registration.incarnationId };
    const key = this.keys.controller;
    const res = await this.client
      .if(key, 'Create', '==', 0)
      .then(this.client.put(key).value(JSON.stringify(claim)).lease(session.leaseId))
      .commit();
    if (!res.succeeded) return null;
    const current = await this.currentController();
    return current && current.incarnationId === claim.incarnationId ? current : null;
  }

  /** The controller holding the claim now, null when none does. */
  async currentController(): Promise<ControllerInfo | null> {
    const res = await this.client.get(this.keys.controller).exec();
    const kv = res.kvs[0];
    if (!kv) return null;
    return { ...parseJson<ControllerClaim>(kv), epoch: Number(kv.create_revision) };
  }

  /** Calls `onChange` whenever the controller claim is taken or released (null: none). */
  async watchController(onChange: (controller: ControllerInfo | null) => void): Promise<Watcher> {
    const res = await this.client.get(this.keys.controller).exec();
    const watcher = await this.client.watch().key(this.keys.controller).startRevision(nextRevision(res.header.revision)).create();
    watcher.on('put', (kv) => onChange({ ...parseJson<ControllerClaim>(kv), epoch: Number(kv.create_revision) }));
    watcher.on('delete', () => onChange(null));
    return watcher;
  }

  // ---------------------------------------------------------------- topics and partitions

  /**
   * Creates a topic and the initial state of each of its partitions in one transaction,
   * by `controller` only while its claim stands. False when the topic already exists.
   * Throws when the writer is no longer the controller.
   */
  async createTopic(controller: ControllerInfo, name: string, assignment: TopicAssignment, states: readonly PartitionState[]): Promise<boolean> {
    if (states.length !== assignment.replicas.length) throw new Error(`topic ${name}: ${assignment.replicas.length} partitions assigned but ${states.length} states given`);
    const puts = states.map((s, p) => this.client.put(this.keys.partition(name, p)).value(JSON.stringify(s)));
    const res = await this.client
      .if(this.keys.controller, 'Create', '==', controller.epoch)
      .and(this.keys.topic(name), 'Create', '==', 0)
      .then(this.client.put(this.keys.topic(name)).value(JSON.stringify(assignment)), ...puts)
      .commit();
    if (res.succeeded) return true;
    if (!(await this.isController(controller))) throw new ControllerFencedError(controller);
    return false;
  }

  /**
   * Deletes a topic and every partition record of it in one transaction, by `controller`
   * only while its claim stands. False when the topic does not exist. Throws when the
   * writer is no longer the controller.
   */
  async deleteTopic(controller: ControllerInfo, name: string): Promise<boolean> {
    const res = await this.client
      .if(this.keys.controller, 'Create', '==', controller.epoch)
      .and(this.keys.topic(name), 'Create', '>', 0)
      .then(this.client.delete().key(this.keys.topic(name)), this.client.delete().prefix(this.keys.partitionsOf(name)))
      .commit();
    if (res.succeeded) return true;
    if (!(await this.isController(controller))) throw new ControllerFencedError(controller);
    return false;
  }

  /**
   * Grows a topic: replaces its assignment by `next` (the old one plus the new partitions)
   * and creates the new partitions' records, in one transaction, only if the topic record
   * is still at `readRevision` and `controller`'s claim stands. 'stale' when the topic
   * changed (or went) meanwhile.
   */
  async addPartitions(controller: ControllerInfo, name: string, readRevision: string, next: TopicAssignment, newStates: readonly PartitionState[]): Promise<CasResult> {
    const first = next.replicas.length - newStates.length;
    const puts = newStates.map((s, i) => this.client.put(this.keys.partition(name, first + i)).value(JSON.stringify(s)));
    const res = await this.client
      .if(this.keys.controller, 'Create', '==', controller.epoch)
      .and(this.keys.topic(name), 'Mod', '==', readRevision)
      .then(this.client.put(this.keys.topic(name)).value(JSON.stringify(next)), ...puts)
      .commit();
    if (res.succeeded) return 'ok';
    return (await this.isController(controller)) ? 'stale' : 'fenced';
  }

  /**
   * A reassignment step (partition-reassigner.ts): replaces a topic record by `next` and
   * writes the given partition states, in one transaction, only while `controller`'s
   * claim stands, the topic record is still at `readRevision` and each partition record
   * still at the revision it was read at (each new partition epoch = old + 1). 'stale'
   * when any of them changed meanwhile.
   */
  async reassign(
    controller: ControllerInfo,
    name: string,
    readRevision: string,
    next: TopicAssignment,
    partitions: readonly { read: VersionedPartitionState; next: PartitionState }[],
  ): Promise<CasResult> {
    let txn = this.client.if(this.keys.controller, 'Create', '==', controller.epoch).and(this.keys.topic(name), 'Mod', '==', readRevision);
    for (const { read, next: state } of partitions) {
      if (state.partitionEpoch !== read.state.partitionEpoch + 1) throw new Error(`partition ${read.topic}-${read.partition}: partition epoch must go ${read.state.partitionEpoch} -> ${read.state.partitionEpoch + 1}`);
      txn = txn.and(this.keys.partition(read.topic, read.partition), 'Mod', '==', read.revision);
    }
    const puts = partitions.map(({ read, next: state }) => this.client.put(this.keys.partition(read.topic, read.partition)).value(JSON.stringify(state)));
    const res = await txn.then(this.client.put(this.keys.topic(name)).value(JSON.stringify(next)), ...puts).commit();
    if (res.succeeded) return 'ok';
    return (await this.isController(controller)) ? 'stale' : 'fenced';
  }

  /**
   * Replaces a topic record (e.g. its config overrides) only if it is still at
   * `readRevision`. Not a leadership decision: any broker may write it. False when the
   * topic changed or went meanwhile.
   */
  async replaceTopic(name: string, readRevision: string, next: TopicAssignment): Promise<boolean> {
    const res = await this.client.if(this.keys.topic(name), 'Mod', '==', readRevision).then(this.client.put(this.keys.topic(name)).value(JSON.stringify(next))).commit();
    return res.succeeded;
  }

  /** One topic's assignment as etcd holds it now, or null when there is no such topic. */
  async getTopic(name: string): Promise<TopicAssignment | null> {
    const res = await this.client.get(this.keys.topic(name)).exec();
    const kv = res.kvs[0];
    return kv ? parseJson<TopicAssignment>(kv) : null;
  }

  /** Every topic's assignment by name. */
  async listTopics(): Promise<Map<string, TopicAssignment>> {
    return (await this.readTopics()).topics;
  }

  /** Every topic's assignment by name with its mod revision, and the etcd revision of the read (to watch from). */
  async readTopics(): Promise<{ topics: Map<string, TopicAssignment>; revisions: Map<string, string>; revision: string }> {
    const res = await this.client.getAll().prefix(this.keys.topicsPrefix).exec();
    const topics = new Map<string, TopicAssignment>();
    const revisions = new Map<string, string>();
    for (const kv of res.kvs) {
      const name = kv.key.toString().slice(this.keys.topicsPrefix.length);
      topics.set(name, parseJson<TopicAssignment>(kv));
      revisions.set(name, kv.mod_revision);
    }
    return { topics, revisions, revision: res.header.revision };
  }

  /** Calls `onPut` for every topic record written and `onDelete` for every topic deleted after `fromRevision` (exclusive). */
  async watchTopics(fromRevision: string, onPut: (name: string, assignment: TopicAssignment) => void, onDelete: (name: string) => void): Promise<Watcher> {
    const watcher = await this.client.watch().prefix(this.keys.topicsPrefix).startRevision(nextRevision(fromRevision)).create();
    const nameOf = (kv: IKeyValue): string => kv.key.toString().slice(this.keys.topicsPrefix.length);
    watcher.on('put', (kv) => onPut(nameOf(kv), parseJson<TopicAssignment>(kv)));
    watcher.on('delete', (kv) => onDelete(nameOf(kv)));
    return watcher;
  }

  async getPartition(topic: string, partition: number): Promise<VersionedPartitionState | null> {
    const res = await this.client.get(this.keys.partition(topic, partition)).exec();
    const kv = res.kvs[0];
    return kv ? { topic, partition, state: parseJson<PartitionState>(kv), revision: kv.mod_revision } : null;
  }

  /** Every partition's state, with the etcd revision of the read (to watch from). */
  async listPartitions(): Promise<{ partitions: VersionedPartitionState[]; revision: string }> {
    const res = await this.client.getAll().prefix(this.keys.partitionsPrefix).exec();
    const partitions: VersionedPartitionState[] = [];
    for (const kv of res.kvs) {
      const id = this.keys.parsePartition(kv.key.toString());
      if (id) partitions.push({ ...id, state: parseJson<PartitionState>(kv), revision: kv.mod_revision });
    }
    return { partitions, revision: res.header.revision };
  }

  /**
   * Compare-and-swap of one partition's state: applied only if the record's mod revision
   * is still `read.revision` and, with `controller`, only while that controller's claim
   * stands. The new state's partition epoch must be the old one + 1.
   */
  async updatePartition(read: VersionedPartitionState, next: PartitionState, controller?: ControllerInfo): Promise<CasResult> {
    if (next.partitionEpoch !== read.state.partitionEpoch + 1) {
      throw new Error(`partition ${read.topic}-${read.partition}: partition epoch must go ${read.state.partitionEpoch} -> ${read.state.partitionEpoch + 1}, got ${next.partitionEpoch}`);
    }
    const key = this.keys.partition(read.topic, read.partition);
    let txn = this.client.if(key, 'Mod', '==', read.revision);
    if (controller) txn = txn.and(this.keys.controller, 'Create', '==', controller.epoch);
    const res = await txn.then(this.client.put(key).value(JSON.stringify(next))).commit();
    if (res.succeeded) return 'ok';
    if (controller && !(await this.isController(controller))) return 'fenced';
    return 'stale';
  }

  /**
   * Calls `onChange` for every partition state written after `fromRevision` (exclusive),
   * and `onDelete` for every partition record deleted (its topic was deleted).
   */
  async watchPartitions(
    fromRevision: string,
    onChange: (p: VersionedPartitionState) => void,
    onDelete?: (p: { topic: string; partition: number }) => void,
  ): Promise<Watcher> {
    const watcher = await this.client.watch().prefix(this.keys.partitionsPrefix).startRevision(nextRevision(fromRevision)).create();
    watcher.on('put', (kv) => {
      const id = this.keys.parsePartition(kv.key.toString());
      if (id) onChange({ ...id, state: parseJson<PartitionState>(kv), revision: kv.mod_revision });
    });
    watcher.on('delete', (kv) => {
      const id = this.keys.parsePartition(kv.key.toString());
      if (id) onDelete?.(id);
    });
    return watcher;
  }

  private async isController(controller: ControllerInfo): Promise<boolean> {
    const current = await this.currentController();
    return current !== null && current.epoch === controller.epoch;
  }
}

/** Thrown when a controller writes after losing its claim (lease expired, successor elected). */
export class ControllerFencedError extends Error {
  constructor(readonly controller: ControllerInfo) {
    super(`controller ${controller.nodeId} (epoch ${controller.epoch}) is no longer the controller; its write was refused`);
    this.name = 'ControllerFencedError';
  }
}

function parseJson<T>(kv: IKeyValue): T {
  return JSON.parse(kv.value.toString('utf8')) as T;
}

function nextRevision(revision: string): string {
  return (BigInt(revision) + 1n).toString();
}
