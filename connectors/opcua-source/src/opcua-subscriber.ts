import {
  AttributeIds,
  BrowseDirection,
  ClientMonitoredItemGroup,
  ClientSession,
  ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  DataType,
  DataValue,
  DeadbandType,
  MessageSecurityMode,
  NodeClass,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  UserTokenType,
  type UserIdentityInfo,
} from 'node-opcua-client';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import type { DataChange } from './opcua-record';
import type { OpcUaSourceConfig } from './opcua-source-config';

/**
 * One OPC UA client session with one subscription monitoring the configured variables
 * (node-opcua-client; its PKI in `opcua.pki.dir`, never in the user's home).
 *
 * Contracts:
 * - `start()` resolves once the first connection, session, browse and monitoring
 *   succeeded, or rejects within `opcua.connect.timeout.ms` naming what failed (server
 *   unreachable, a rejected identity or security policy, an unknown node id).
 * - Every data change goes to `onChange` in the order the server published it, the first
 *   ones possibly before `start()` resolves.
 * - After a connection loss node-opcua reconnects for ever (back-off up to 10 s) and
 *   re-establishes the session and its subscription (transferred, or created again when
 *   the server restarted and lost it); `onState` reports the loss and the recovery.
 */
export interface SubscriberEvents {
  onChange(change: DataChange): void;
  onState(message: string | null): void;
  onWarning(message: string): void;
}

const MAX_BROWSED = 10_000;
const MAX_DEPTH = 5;

export class OpcUaSubscriber {
  private client: OPCUAClient | null = null;
  private session: ClientSession | null = null;
  private subscription: ClientSubscription | null = null;
  private group: ClientMonitoredItemGroup | null = null;
  private monitored: string[] = [];

  constructor(
    private readonly config: OpcUaSourceConfig,
    private readonly events: SubscriberEvents,
  ) {}

  get nodeIds(): readonly string[] {
    return this.monitored;
  }

  async start(): Promise<void> {
    const c = this.config;
    const certificateManager = new OPCUACertificateManager({ rootFolder: c.pkiDir, automaticallyAcceptUnknownCertificate: true });
    const client = OPCUAClient.create({
      applicationName: 'Millrace OPC UA source',
      endpointMustExist: false,
      securityMode: MessageSecurityMode[c.securityMode],
      securityPolicy: SecurityPolicy[c.securityPolicy],
      clientCertificateManager: certificateManager,
      connectionStrategy: { maxRetry: -1, initialDelay: 250, maxDelay: 10_000 },
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
    });
    this.client = client;
    client.on('connection_lost', () => this.events.onState(`connection to ${c.endpointUrl} lost; reconnecting`));
    client.on('connection_reestablished', () => this.events.onState(null));
    const step = async <T>(what: string, p: Promise<T>): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([p, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${c.connectTimeoutMs} ms (opcua.connect.timeout.ms)`)), c.connectTimeoutMs)))]);
      } catch (err) {
        throw new Error(`OPC UA ${what} (${c.endpointUrl}) failed: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };
    // The first connection must succeed on time; node-opcua would otherwise retry for ever.
    const first = OPCUAClient.create({ endpointMustExist: false, clientCertificateManager: certificateManager, connectionStrategy: { maxRetry: 0 } });
    await step('connection', first.connect(c.endpointUrl));
    await first.disconnect();
    await step('connection', client.connect(c.endpointUrl));
    this.session = await step('session', client.createSession(this.identity()));
    this.monitored = [...new Set([...c.nodeIds, ...(c.browseRoot ? await step('browse', this.browseVariables(c.browseRoot)) : [])])];
    if (this.monitored.length === 0) throw new Error(`OPC UA browse of ${c.browseRoot} found no variables (opcua.browse.root)`);
    await step('node check', this.checkNodes());
    this.subscription = await step(
      'subscription',
      this.session.createSubscription2({ requestedPublishingInterval: c.publishingIntervalMs, requestedMaxKeepAliveCount: 10, requestedLifetimeCount: 600, maxNotificationsPerPublish: 10_000, publishingEnabled: true, priority: 10 }),
    );
    const group = ClientMonitoredItemGroup.create(
      this.subscription,
      this.monitored.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })),
      { samplingInterval: c.samplingIntervalMs, queueSize: c.queueSize, discardOldest: true, filter: this.filter() },
      TimestampsToReturn.Both,
    );
    // Listening before the items exist: the server's first publish (every current value) can be
    // read in the same chunk as the CreateMonitoredItems answer, before an awaited
    // monitorItems() would let a listener be attached, and that value would be lost.
    group.on('changed', (_item, dataValue: DataValue, index: number) => this.events.onChange(toChange(this.monitored[index], dataValue)));
    group.on('err', (message: string) => this.events.onWarning(`monitored items: ${message}`));
    this.group = group;
    await step(
      'monitoring',
      new Promise<void>((resolve, reject) => {
        group.once('initialized', () => resolve());
        group.once('terminated', (err?: Error) => reject(err ?? new Error('the monitored items were terminated')));
      }),
    );
  }

  private identity(): UserIdentityInfo {
    const c = this.config;
    if (c.username === null) return { type: UserTokenType.Anonymous };
    return { type: UserTokenType.UserName, userName: c.username, password: c.password ?? '' };
  }

  private filter(): DataChangeFilter | undefined {
    const c = this.config;
    if (c.deadbandType === 'None') return undefined;
    return new DataChangeFilter({ trigger: DataChangeTrigger.StatusValue, deadbandType: DeadbandType[c.deadbandType], deadbandValue: c.deadbandValue });
  }

  /** Every Variable below `root` (hierarchical references, breadth first, bounded). */
  private async browseVariables(root: string): Promise<string[]> {
    const out: string[] = [];
    let level = [root];
    const seen = new Set(level);
    for (let depth = 0; depth < MAX_DEPTH && level.length > 0 && out.length < MAX_BROWSED; depth++) {
      const results = await this.session!.browse(level.map((nodeId) => ({ nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HierarchicalReferences', includeSubtypes: true, resultMask: 63 })));
      const next: string[] = [];
      results.forEach((r, i) => {
        if (!r.statusCode.isGood()) throw new Error(`cannot browse ${level[i]}: ${r.statusCode.name}`);
        for (const ref of r.references ?? []) {
          const id = ref.nodeId.toString();
          if (seen.has(id)) continue;
          seen.add(id);
          if (ref.nodeClass === NodeClass.Variable && out.length < MAX_BROWSED) out.push(id);
          else if (ref.nodeClass === NodeClass.Object) next.push(id);
        }
      });
      level = next;
    }
    return out;
  }

  /** Reads every node's value attribute once, so an unknown node id fails the start naming it. */
  private async checkNodes(): Promise<void> {
    const results = await this.session!.read(this.monitored.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })));
    const bad = results.map((r, i) => [this.monitored[i], r.statusCode] as const).filter(([, s]) => s.name === 'BadNodeIdUnknown' || s.name === 'BadNodeIdInvalid' || s.name === 'BadAttributeIdInvalid');
    if (bad.length > 0) throw new Error(`unknown node ids: ${bad.map(([id, s]) => `${id} (${s.name})`).join(', ')} (opcua.node.ids)`);
  }

  async stop(): Promise<void> {
    await this.subscription?.terminate().catch(() => undefined);
    await this.session?.close().catch(() => undefined);
    await this.client?.disconnect().catch(() => undefined);
    this.subscription = null;
    this.session = null;
    this.client = null;
  }
}

function toChange(nodeId: string, dv: DataValue): DataChange {
  const variant = dv.value;
  return {
    nodeId,
    dataType: DataType[variant?.dataType ?? DataType.Null] ?? 'Null',
    value: variant?.value ?? null,
    statusCode: dv.statusCode.name,
    statusCodeValue: dv.statusCode.value,
    sourceTimestamp: dv.sourceTimestamp ?? null,
    serverTimestamp: dv.serverTimestamp ?? null,
  };
}
