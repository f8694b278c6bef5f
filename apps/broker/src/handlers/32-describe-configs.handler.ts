import { Inject, Injectable } from '@nestjs/common';
import { DescribeConfigsApi, ErrorCode, type DescribeConfigsRequestData, type DescribeConfigsResponseInput } from '@millrace/protocol';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { DynamicBrokerConfig } from '../config/dynamic-broker-config';
import { TopicManager } from '../metadata/topic-manager';
import { brokerConfigLevel, brokerConfigSource } from './broker-config-resource';
import { ConfigResourceType } from './config-resource';
import { describeTopicConfigs, type TopicConfigEntry } from './topic-config-view';
import type { ApiHandler } from './api-handler';

type Result = DescribeConfigsResponseInput['results'][number];

/**
 * DescribeConfigs (32), v0-4: topic configs (effective value and source) and the
 * broker's configs under their Kafka names: the static ones read-only, the dynamic ones
 * (DynamicBrokerConfig) with where their value comes from. Resource name '' describes
 * the cluster-wide dynamic defaults only, as in Kafka.
 */
@Injectable()
export class DescribeConfigsHandler implements ApiHandler<typeof DescribeConfigsApi> {
  readonly api = DescribeConfigsApi;
  readonly minVersion = 0;
  readonly maxVersion = 4;

  constructor(
    private readonly topics: TopicManager,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly brokerConfigs: DynamicBrokerConfig,
  ) {}

  handle(request: DescribeConfigsRequestData): DescribeConfigsResponseInput {
    const results: Result[] = request.resources.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType === ConfigResourceType.TOPIC) {
        const topic = this.topics.get(r.resourceName);
        if (!topic) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${r.resourceName} does not exist`, configs: [] };
        const dynamicSource = (name: string) => {
          const origin = this.brokerConfigs.dynamicOriginOfTopicDefault(name);
          return origin === null ? null : brokerConfigSource(origin);
        };
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: describeTopicConfigs(this.topics, topic, r.configurationKeys, dynamicSource).map(toWire) };
      }
      if (r.resourceType === ConfigResourceType.BROKER) {
        const target = brokerConfigLevel(r.resourceName, this.config.nodeId);
        if ('errorCode' in target) return { ...base, ...target, configs: [] };
        const entries = this.brokerConfigs.describe(target.level, r.configurationKeys).map(
          (e): TopicConfigEntry => ({ name: e.name, value: e.value, readOnly: e.readOnly, isDefault: e.origin === 'default', configSource: brokerConfigSource(e.origin) }),
        );
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs: entries.map(toWire) };
      }
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}`, configs: [] };
    });
    return { throttleTimeMs: 0, results };
  }
}

function toWire(e: TopicConfigEntry): DescribeConfigsResponseInput['results'][number]['configs'][number] {
  return { name: e.name, value: e.value, readOnly: e.readOnly, isDefault: e.isDefault, configSource: e.configSource, isSensitive: false, synonyms: [], documentation: null };
}
