import { randomUUID } from 'node:crypto';
import { ClusterController, type BrokerRegistration, type BrokerSession, type ClusterMetadataStore, type ControllerInfo, type Watcher } from '@millrace/cluster-metadata';
import type { BrokerEndpoint, ClusterView } from './cluster-view';

export interface MembershipLogger {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * A clustered broker's membership (issue: replicated cluster), over etcd through
 * ClusterMetadataStore:
 * - `join()` registers the broker under a lease of broker.session.timeout.ms, watches
 *   the live brokers and campaigns for the controller role: it claims it when nobody
 *   holds it, and again whenever the claim is released (the controller's lease expired
 *   or it shut down). The controller epoch is the claim's etcd create revision.
 * - A lost lease (the process froze past its TTL, etcd unreachable) drops the
 *   registration and any controller claim; the broker registers again every second
 *   until it succeeds, and says so in its log.
 * - `leave()` (controlled shutdown) revokes the lease: registration and claim go at once.
 * - While this broker holds the claim it runs the controller's duty (ClusterController:
 *   partition leaders and ISRs re-decided in etcd when brokers die or return); it stops
 *   as soon as the claim is someone else's or its writes are fenced.
 *
 * Topic placement and the catalogue mirror build on this (ClusterTopicWriter,
 * ClusterCatalogueSync); data replication is not built yet.
 */
export class ClusterMembership implements ClusterView {
  private session: BrokerSession | null = null;
  private brokers: readonly BrokerEndpoint[];
  private controller: ControllerInfo | null = null;
  private watchers: Watcher[] = [];
  private leaving = false;
  private rejoinTimer: NodeJS.Timeout | null = null;
  private duty: ClusterController | null = null;
  private httpPorts = new Map<number, number>();

  constructor(
    private readonly store: ClusterMetadataStore,
    private readonly self: BrokerEndpoint,
    private readonly sessionTimeoutMs: number,
    private readonly logger: MembershipLogger,
    /** The controller's preferred-leader check interval while this broker is controller (0: off). */
    private readonly preferredLeaderCheckMs = 0,
    /** This broker's advertised HTTP port, published in its registration so that other brokers can forward REST calls to it. */
    private readonly httpPort?: number,
  ) {
    this.brokers = [self];
  }

  /** A live broker's HTTP address as it registered it; undefined when it is not live or registered none. */
  httpEndpointOf(nodeId: number): { host: string; port: number } | undefined {
    const port = nodeId === this.self.nodeId ? this.httpPort : this.httpPorts.get(nodeId);
    const broker = this.brokers.find((b) => b.nodeId === nodeId);
    return broker && port !== undefined ? { host: broker.host, port } : undefined;
  }

  liveBrokers(): readonly BrokerEndpoint[] {
    return this.brokers;
  }

  controllerId(): number {
    return this.controller?.nodeId ?? -1;
  }

  /** True once a controlled leave (SIGTERM, shutdown) started. */
  get isLeaving(): boolean {
    return this.leaving;
  }

  get nodeId(): number {
    return this.self.nodeId;
  }

  /** The controller claim while this very process holds it (same incarnation), else null. */
  ownControllerClaim(): ControllerInfo | null {
    const c = this.controller;
    return c && this.session && c.nodeId === this.self.nodeId && c.incarnationId === this.session.registration.incarnationId ? c : null;
  }

  /** The controller's duty (elections, reassignments) while this broker runs it, else null. */
  controllerDuty(): ClusterController | null {
    return this.duty;
  }

  /** This broker's controller epoch while it is the controller, else null. */
  get controllerEpoch(): number | null {
    return this.controller && this.session && this.controller.nodeId === this.self.nodeId ? this.controller.epoch : null;
  }

  async join(): Promise<void> {
    await this.register();
    this.watchers.push(await this.store.watchBrokers((brokers) => this.setBrokers(brokers)));
    this.watchers.push(await this.store.watchController((c) => this.onControllerChange(c)));
    this.setBrokers((await this.store.listBrokers()).brokers);
    this.controller = await this.store.currentController();
    if (!this.controller) await this.campaign();
  }

  async leave(): Promise<void> {
    this.leaving = true;
    if (this.rejoinTimer) clearTimeout(this.rejoinTimer);
    for (const w of this.watchers.splice(0)) await w.cancel().catch(() => undefined);
    await this.stopDuty();
    await this.session?.close();
    this.session = null;
  }

  private async register(): Promise<void> {
    const registration: BrokerRegistration = { ...this.self, ...(this.httpPort !== undefined ? { httpPort: this.httpPort } : {}), incarnationId: randomUUID() };
    const session = await this.store.registerBroker(registration, Math.max(1, Math.ceil(this.sessionTimeoutMs / 1000)));
    session.once('lost', (err: Error) => this.onSessionLost(session, err));
    this.session = session;
  }

  private onSessionLost(session: BrokerSession, err: Error): void {
    if (this.session !== session || this.leaving) return;
    this.session = null;
    void this.stopDuty();
    this.logger.warn(`broker ${this.self.nodeId}: cluster session lost (${err.message}); registering again`);
    const retry = (): void => {
      this.rejoinTimer = null;
      if (this.leaving) return;
      this.register().then(
        () => {
          this.logger.info(`broker ${this.self.nodeId}: registered again in the cluster`);
          if (!this.controller) void this.campaign();
        },
        (e: unknown) => {
          this.logger.warn(`broker ${this.self.nodeId}: registering again failed (${(e as Error).message}); retrying in 1 s`);
          this.rejoinTimer = setTimeout(retry, 1000);
        },
      );
    };
    retry();
  }

  private setBrokers(brokers: readonly BrokerRegistration[]): void {
    const live: BrokerEndpoint[] = brokers.map(({ nodeId, host, port, rack }) => ({ nodeId, host, port, rack }));
    this.httpPorts = new Map(brokers.flatMap((b) => (b.httpPort !== undefined ? [[b.nodeId, b.httpPort] as const] : [])));
    if (!live.some((b) => b.nodeId === this.self.nodeId)) live.push(this.self);
    this.brokers = live.sort((a, b) => a.nodeId - b.nodeId);
  }

  private onControllerChange(controller: ControllerInfo | null): void {
    const before = this.controller;
    this.controller = controller;
    if (controller && controller.epoch !== before?.epoch) this.logger.info(`broker ${this.self.nodeId}: controller is broker ${controller.nodeId} (epoch ${controller.epoch})`);
    if (this.duty && this.duty.controller.epoch !== controller?.epoch) void this.stopDuty();
    if (!controller) void this.campaign();
  }

  private async campaign(): Promise<void> {
    const session = this.session;
    if (!session || this.leaving) return;
    try {
      const won = await this.store.tryClaimController(session);
      if (won) {
        this.controller = won;
        this.logger.info(`broker ${this.self.nodeId}: elected controller (epoch ${won.epoch})`);
        await this.startDuty(won);
      }
    } catch (err) {
      this.logger.warn(`broker ${this.self.nodeId}: controller campaign failed (${(err as Error).message}); trying again when the claim changes`);
    }
  }

  private async startDuty(won: ControllerInfo): Promise<void> {
    await this.stopDuty();
    const duty = new ClusterController(this.store, won, { logger: this.logger, onFenced: () => void this.stopDuty(), preferredLeaderCheckMs: this.preferredLeaderCheckMs });
    this.duty = duty;
    await duty.start();
  }

  private async stopDuty(): Promise<void> {
    const duty = this.duty;
    this.duty = null;
    await duty?.stop();
  }
}
