import { Inject, Injectable } from '@nestjs/common';
import type { LogRecord } from '@millrace/kafka-log';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { SecretsService } from '../secrets/secrets.service';
import { CompactedTopicStore } from './compacted-topic-store';
import { ConfigState, targetStateRecord, type ConnectorSnapshot, type TargetState } from './config-state';

export type { ConnectorSnapshot, TargetState } from './config-state';

/** Hears every connect-configs record applied after start-up (key, and the value's JSON or null). */
export type ConfigRecordListener = (key: string, value: string | null) => void;

/**
 * Connector configs, task configs and target states in the compacted topic
 * `connect-configs` (1 partition; record format in config-state.ts).
 *
 * Contracts: the topic is read to its end before the module is initialised (so the
 * worker resumes every connector where it stood); every write is produced with acks=-1
 * and resolves once it was read back, so the view reflects it. Secret values of
 * connector and task configs are written through SecretsService.encodeForStorage
 * (encrypted when MILLRACE_CONNECT_SECRETS_KEY is set) and read back decrypted: the
 * view and everything the store returns hold plaintext, the topic never does then.
 */
@Injectable()
export class ConfigStore extends CompactedTopicStore {
  private readonly state: ConfigState;
  private readonly listeners: ConfigRecordListener[] = [];
  private loaded = false;

  constructor(@Inject(CONNECT_CONFIG) config: ConnectConfig, @Inject(ROOT_LOGGER) rootLogger: Logger, private readonly secrets: SecretsService) {
    super(config, rootLogger, { topic: config.configTopic, partitions: 1, replicationFactor: config.storageReplicationFactors.config, clientId: 'millrace-connect-configs', component: 'config-store' });
    this.state = new ConfigState((connector, properties) => secrets.decodeFromStorage(connector, properties));
  }

  protected apply(record: LogRecord): void {
    this.state.apply(record);
    if (this.loaded) for (const l of this.listeners) l(record.key, record.value);
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.loaded = true;
  }

  /**
   * Calls `listener` synchronously after each record read from the topic once it was
   * loaded (so also for this worker's own writes, before their `put*` resolves).
   */
  addListener(listener: ConfigRecordListener): void {
    this.listeners.push(listener);
  }

  /** Names of the existing connectors, sorted. */
  connectorNames(): string[] {
    return this.state.connectorNames();
  }

  connector(name: string): ConnectorSnapshot | undefined {
    return this.state.connector(name);
  }

  /** Creates or replaces a connector's config; `initialState`, when given, is written first. */
  async putConnectorConfig(name: string, config: Readonly<Record<string, string>>, initialState?: TargetState): Promise<void> {
    const records = [];
    if (initialState) records.push(targetStateRecord(name, initialState));
    records.push({ key: `connector-${name}`, value: JSON.stringify({ properties: this.secrets.encodeForStorage(name, config) }) });
    await this.log.send(records);
  }

  /** Replaces the task configs: one task-<name>-<n> record each, then the commit record. */
  async putTaskConfigs(name: string, taskConfigs: readonly Readonly<Record<string, string>>[]): Promise<void> {
    const connectorConfig = this.state.connector(name)?.config ?? {};
    const records = taskConfigs.map((t, i) => ({ key: `task-${name}-${i}`, value: JSON.stringify({ properties: this.secrets.encodeForStorage(name, t, connectorConfig) }) }));
    records.push({ key: `commit-${name}`, value: JSON.stringify({ tasks: taskConfigs.length }) });
    await this.log.send(records);
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.log.send([targetStateRecord(name, state)]);
  }

  /**
   * A restart request for the worker running the connector (Kafka Connect's
   * `restart-connector-<name>` record); `task` set: only that task (`restart-task-<name>-<n>`,
   * Millrace's own key, ignored by the config view).
   */
  async putRestartRequest(name: string, request: { includeTasks: boolean; onlyFailed: boolean } | { task: number }): Promise<void> {
    if ('task' in request) await this.log.send([{ key: `restart-task-${name}-${request.task}`, value: JSON.stringify({}) }]);
    else await this.log.send([{ key: `restart-connector-${name}`, value: JSON.stringify({ 'include-tasks': request.includeTasks, 'only-failed': request.onlyFailed }) }]);
  }

  /** Deletes a connector: tombstones for its config, target state, tasks and commit. */
  async removeConnector(name: string): Promise<void> {
    const taskKeys = (this.state.connector(name)?.taskConfigs ?? []).map((_, i) => `task-${name}-${i}`);
    await this.log.send([
      { key: `connector-${name}`, value: null },
      { key: `target-state-${name}`, value: null },
      ...taskKeys.map((key) => ({ key, value: null })),
      { key: `commit-${name}`, value: null },
    ]);
  }
}
