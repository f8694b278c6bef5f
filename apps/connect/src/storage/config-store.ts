import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { CompactedTopicLog } from './compacted-topic-log';
import { ConfigState, targetStateRecord, type ConnectorSnapshot, type TargetState } from './config-state';
import { createKafka } from './kafka-client';

export type { ConnectorSnapshot, TargetState } from './config-state';

/**
 * Connector configs, task configs and target states in the compacted topic
 * `connect-configs` (1 partition; record format in config-state.ts).
 *
 * Contracts: the topic is read to its end before the module is initialised (so the
 * worker resumes every connector where it stood); every write is produced with acks=-1
 * and resolves once it was read back, so the view reflects it.
 */
@Injectable()
export class ConfigStore implements OnModuleInit, OnApplicationShutdown {
  private readonly state = new ConfigState();
  private readonly log: CompactedTopicLog;

  constructor(@Inject(CONNECT_CONFIG) config: ConnectConfig, @Inject(ROOT_LOGGER) rootLogger: Logger) {
    const logger = rootLogger.child({ component: 'config-store' });
    this.log = new CompactedTopicLog({
      topic: config.configTopic,
      partitions: 1,
      bootstrap: config.bootstrap,
      kafka: createKafka(config.bootstrap, 'millrace-connect-configs', logger),
      logger,
      apply: (r) => this.state.apply(r),
    });
  }

  async onModuleInit(): Promise<void> {
    await this.log.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.log.stop();
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
    records.push({ key: `connector-${name}`, value: JSON.stringify({ properties: config }) });
    await this.log.send(records);
  }

  /** Replaces the task configs: one task-<name>-<n> record each, then the commit record. */
  async putTaskConfigs(name: string, taskConfigs: readonly Readonly<Record<string, string>>[]): Promise<void> {
    const records = taskConfigs.map((t, i) => ({ key: `task-${name}-${i}`, value: JSON.stringify({ properties: t }) }));
    records.push({ key: `commit-${name}`, value: JSON.stringify({ tasks: taskConfigs.length }) });
    await this.log.send(records);
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.log.send([targetStateRecord(name, state)]);
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
