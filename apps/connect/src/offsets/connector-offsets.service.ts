import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ConnectRestError } from '../http/connect-rest-error';
import { ROOT_LOGGER } from '@millrace/app-common';
import { PluginRegistry } from '../plugins/plugin-registry';
import { ConfigStore } from '../storage/config-store';
import { createKafkaClient } from '@millrace/kafka-log';
import { OffsetStore, type SourceOffsetEntry } from '../storage/offset-store';

/** One entry of Kafka Connect's ConnectorOffsets (`{"offsets": [...]}`). */
export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

/**
 * `GET|PATCH|DELETE /connectors/{c}/offsets` (KIP-875).
 *
 * Source connectors: the offsets in connect-offsets. Sink connectors: the committed
 * offsets of the consumer group `connect-<name>`, shown as partition
 * `{"kafka_topic", "kafka_partition"}` and offset `{"kafka_offset"}`.
 * Changing offsets requires the connector's target state to be STOPPED (400 otherwise);
 * a null offset removes one partition's offset (sink: back to the earliest offset);
 * DELETE removes all (sink: deletes the consumer group).
 */
@Injectable()
export class ConnectorOffsetsService implements OnApplicationShutdown {
  private admin: Admin | undefined;
  private readonly logger: Logger;

  constructor(
    @Inject(CONNECT_CONFIG) private readonly config: ConnectConfig,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    private readonly configStore: ConfigStore,
    private readonly offsetStore: OffsetStore,
    private readonly plugins: PluginRegistry,
  ) {
    this.logger = rootLogger.child({ component: 'connector-offsets' });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }

  async get(name: string): Promise<ConnectorOffset[]> {
    if (this.typeOf(name) === 'source') return this.offsetStore.offsets(name).map((e) => ({ partition: { ...e.partition }, offset: { ...e.offset } }));
    const admin = await this.connectAdmin();
    const topics = await admin.fetchOffsets({ groupId: groupId(name) });
    return topics.flatMap((t) =>
      t.partitions
        .filter((p) => Number(p.offset) >= 0)
        .map((p) => ({ partition: { kafka_topic: t.topic, kafka_partition: p.partition }, offset: { kafka_offset: Number(p.offset) } })),
    );
  }

  async alter(name: string, offsets: readonly ConnectorOffset[]): Promise<string> {
    const type = this.typeOf(name);
    this.requireStopped(name);
    if (type === 'source') {
      await this.offsetStore.write(name, offsets.map((o): SourceOffsetEntry => ({ partition: o.partition, offset: o.offset })));
      return 'The offsets for this connector have been altered successfully';
    }
    const admin = await this.connectAdmin();
    for (const o of offsets) {
      const topic = o.partition.kafka_topic;
      const partition = o.partition.kafka_partition;
      if (typeof topic !== 'string' || !Number.isInteger(partition)) {
        throw ConnectRestError.badRequest('Sink connector offsets must have a partition with "kafka_topic" (string) and "kafka_partition" (integer)');
      }
      let offset: number;
      if (o.offset === null) {
        const low = (await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition)?.low ?? '0';
        offset = Number(low);
      } else {
        const value = o.offset.kafka_offset;
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw ConnectRestError.badRequest('Sink connector offsets must have an offset with "kafka_offset" (a non-negative integer) or be null');
        offset = value;
      }
      await admin.setOffsets({ groupId: groupId(name), topic, partitions: [{ partition: partition as number, offset: String(offset) }] });
    }
    return 'The offsets for this connector have been altered successfully';
  }

  async reset(name: string): Promise<string> {
    const type = this.typeOf(name);
    this.requireStopped(name);
    if (type === 'source') {
      await this.offsetStore.reset(name);
    } else {
      const admin = await this.connectAdmin();
      await admin.deleteGroups([groupId(name)]).catch((err: unknown) => {
        const message = (err as Error).message;
        if (!/does not exist|not found|GROUP_ID_NOT_FOUND/i.test(message) && !/does not exist|not found/i.test(JSON.stringify(err))) throw err;
      });
    }
    return 'The offsets for this connector have been reset successfully';
  }

  private typeOf(name: string): 'source' | 'sink' {
    const snap = this.configStore.connector(name);
    if (!snap) throw ConnectRestError.connectorNotFound(name);
    const plugin = this.plugins.find(snap.config['connector.class'] ?? '');
    if (!plugin) throw ConnectRestError.badRequest(`Connector ${name} uses an unknown plugin ${snap.config['connector.class']}`);
    return plugin.type;
  }

  private requireStopped(name: string): void {
    if (this.configStore.connector(name)?.targetState !== 'STOPPED') {
      throw ConnectRestError.badRequest(
        `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      );
    }
  }

  private async connectAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = createKafkaClient(this.config.bootstrap, 'millrace-connect-offsets-admin', this.logger).admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }
}

function groupId(name: string): string {
  return `connect-${name}`;
}
