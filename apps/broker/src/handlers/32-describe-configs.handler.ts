import { Inject, Injectable } from '@nestjs/common';
import { DescribeConfigsApi, ErrorCode, type DescribeConfigsRequestData, type DescribeConfigsResponseInput } from '@millrace/protocol';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { TopicManager } from '../metadata/topic-manager';
import { ConfigResourceType } from './config-resource';
import { ConfigSource, describeTopicConfigs, type TopicConfigEntry } from './topic-config-view';
import type { ApiHandler } from './api-handler';

type Result = DescribeConfigsResponseInput['results'][number];

/**
 * DescribeConfigs (32), v0-4: topic configs (effective value and source) and the
 * broker's own settings under their Kafka names.
 */
@Injectable()
export class DescribeConfigsHandler implements ApiHandler<typeof DescribeConfigsApi> {
  readonly api = DescribeConfigsApi;
  readonly minVersion = 0;
  readonly maxVersion = 4;

  constructor(
    private readonly topics: TopicManager,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  handle(request: DescribeConfigsRequestData): DescribeConfigsResponseInput {
    const results: Result[] = request.resources.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType === ConfigResourceType.TOPIC) {
        const topic = this.topics.get(r.resourceName);
        if (!topic) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${r.resourceName} does not exist`, configs: [] };
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: describeTopicConfigs(this.topics, topic, r.configurationKeys).map(toWire) };
      }
      if (r.resourceType === ConfigResourceType.BROKER) {
        if (r.resourceName !== '' && r.resourceName !== String(this.config.nodeId)) {
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id ${r.resourceName}`, configs: [] };
        }
        const entries = this.brokerConfigs().filter((e) => r.configurationKeys === null || r.configurationKeys.includes(e.name));
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: entries.map(toWire) };
      }
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}`, configs: [] };
    });
    return { throttleTimeMs: 0, results };
  }

  private brokerConfigs(): TopicConfigEntry[] {
    const c = this.config;
    const values: Record<string, string> = {
      'broker.id': String(c.nodeId),
      'node.id': String(c.nodeId),
      'auto.create.topics.enable': String(c.autoCreateTopicsEnable),
      'num.partitions': String(c.numPartitions),
      'default.replication.factor': String(c.defaultReplicationFactor),
      'offsets.topic.num.partitions': String(c.offsetsTopicNumPartitions),
      'group.initial.rebalance.delay.ms': String(c.groupInitialRebalanceDelayMs),
      'group.min.session.timeout.ms': String(c.groupMinSessionTimeoutMs),
      'group.max.session.timeout.ms': String(c.groupMaxSessionTimeoutMs),
      'socket.request.max.bytes': String(c.socketRequestMaxBytes),
      'log.dirs': c.dataDir,
    };
    return Object.entries(values).map(([name, value]) => ({ name, value, readOnly: true, isDefault: false, configSource: ConfigSource.STATIC_BROKER_CONFIG }));
  }
}

function toWire(e: TopicConfigEntry): DescribeConfigsResponseInput['results'][number]['configs'][number] {
  return { name: e.name, value: e.value, readOnly: e.readOnly, isDefault: e.isDefault, configSource: e.configSource, isSensitive: false, synonyms: [], documentation: null };
}
