import { Inject, Injectable } from '@nestjs/common';
import { AlterConfigsApi, ErrorCode, type AlterConfigsRequestData, type AlterConfigsResponseInput } from '@millrace/protocol';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { DynamicBrokerConfig } from '../config/dynamic-broker-config';
import { TopicManager } from '../metadata/topic-manager';
import { brokerConfigLevel } from './broker-config-resource';
import { ConfigResourceType } from './config-resource';
import type { ApiHandler } from './api-handler';

/**
 * AlterConfigs (33), v0-2: replaces the whole set of overrides of a resource (keys not
 * given return to their defaults), as Kafka's non-incremental AlterConfigs does: a
 * topic's overrides, or a BROKER resource's dynamic configs (this broker's id, or '' for
 * the cluster default; static configs are refused, see DynamicBrokerConfig.alter).
 */
@Injectable()
export class AlterConfigsHandler implements ApiHandler<typeof AlterConfigsApi> {
  readonly api = AlterConfigsApi;
  readonly minVersion = 0;
  readonly maxVersion = 2;

  constructor(
    private readonly topics: TopicManager,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly brokerConfigs: DynamicBrokerConfig,
  ) {}

  async handle(request: AlterConfigsRequestData): Promise<AlterConfigsResponseInput> {
    const responses: AlterConfigsResponseInput['responses'] = [];
    for (const r of request.resources) {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      const changes = Object.fromEntries(r.configs.map((c) => [c.name, c.value]));
      if (r.resourceType === ConfigResourceType.BROKER) {
        const target = brokerConfigLevel(r.resourceName, this.config.nodeId);
        if ('errorCode' in target) {
          responses.push({ ...base, ...target });
          continue;
        }
        const result = await this.brokerConfigs.alter(target.level, changes, true, request.validateOnly);
        responses.push({ ...base, ...result });
        continue;
      }
      if (r.resourceType !== ConfigResourceType.TOPIC) {
        responses.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}` });
        continue;
      }
      const result = await this.topics.alterConfigs(r.resourceName, changes, true, request.validateOnly);
      responses.push({ ...base, errorCode: result.errorCode, errorMessage: result.errorMessage });
    }
    return { throttleTimeMs: 0, responses };
  }
}
