import { Injectable } from '@nestjs/common';
import { AlterConfigsApi, ErrorCode, type AlterConfigsRequestData, type AlterConfigsResponseInput } from '@millrace/protocol';
import { TopicManager } from '../metadata/topic-manager';
import { ConfigResourceType } from './config-resource';
import type { ApiHandler } from './api-handler';

/**
 * AlterConfigs (33), v0-2: replaces a topic's whole set of overrides (keys not given
 * return to their defaults), as Kafka's non-incremental AlterConfigs does. Broker
 * configs are static here (read from the environment at start).
 */
@Injectable()
export class AlterConfigsHandler implements ApiHandler<typeof AlterConfigsApi> {
  readonly api = AlterConfigsApi;
  readonly minVersion = 0;
  readonly maxVersion = 2;

  constructor(private readonly topics: TopicManager) {}

  async handle(request: AlterConfigsRequestData): Promise<AlterConfigsResponseInput> {
    const responses: AlterConfigsResponseInput['responses'] = [];
    for (const r of request.resources) {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType !== ConfigResourceType.TOPIC) {
        responses.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Only topic configs can be altered; broker configs are set by environment variables at start' });
        continue;
      }
      const changes = Object.fromEntries(r.configs.map((c) => [c.name, c.value]));
      const result = await this.topics.alterConfigs(r.resourceName, changes, true, request.validateOnly);
      responses.push({ ...base, errorCode: result.errorCode, errorMessage: result.errorMessage });
    }
    return { throttleTimeMs: 0, responses };
  }
}
