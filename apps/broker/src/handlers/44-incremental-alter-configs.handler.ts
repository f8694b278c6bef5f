import { Injectable } from '@nestjs/common';
import { ErrorCode, IncrementalAlterConfigsApi, type IncrementalAlterConfigsRequestData, type IncrementalAlterConfigsResponseInput } from '@millrace/protocol';
import { logConfigToStrings } from '@millrace/storage';
import { TopicManager } from '../metadata/topic-manager';
import { ConfigResourceType } from './config-resource';
import type { ApiHandler } from './api-handler';

/** Kafka's AlterConfigOp types. APPEND/SUBTRACT apply to list configs (cleanup.policy). */
enum AlterOp {
  SET = 0,
  DELETE = 1,
  APPEND = 2,
  SUBTRACT = 3,
}

/** IncrementalAlterConfigs (44), v0-1: SET, DELETE, APPEND, SUBTRACT on topic configs. */
@Injectable()
export class IncrementalAlterConfigsHandler implements ApiHandler<typeof IncrementalAlterConfigsApi> {
  readonly api = IncrementalAlterConfigsApi;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(private readonly topics: TopicManager) {}

  async handle(request: IncrementalAlterConfigsRequestData): Promise<IncrementalAlterConfigsResponseInput> {
    const responses: IncrementalAlterConfigsResponseInput['responses'] = [];
    for (const r of request.resources) {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      const topic = r.resourceType === ConfigResourceType.TOPIC ? this.topics.get(r.resourceName) : undefined;
      if (r.resourceType !== ConfigResourceType.TOPIC) {
        responses.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Only topic configs can be altered; broker configs are set by environment variables at start' });
        continue;
      }
      if (!topic) {
        responses.push({ ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${r.resourceName} does not exist` });
        continue;
      }
      const changes: Record<string, string | null> = {};
      // APPEND/SUBTRACT start from the effective value (the default when not overridden), as in Kafka.
      const effective = logConfigToStrings(this.topics.configOf(topic));
      let problem: string | null = null;
      for (const c of r.configs) {
        const current = (changes[c.name] ?? topic.configs[c.name] ?? effective[c.name] ?? '').split(',').filter((x) => x !== '');
        switch (c.configOperation as AlterOp) {
          case AlterOp.SET:
            changes[c.name] = c.value;
            break;
          case AlterOp.DELETE:
            changes[c.name] = null;
            break;
          case AlterOp.APPEND:
            changes[c.name] = [...current, ...(c.value ?? '').split(',').filter((v) => v !== '' && !current.includes(v))].join(',');
            break;
          case AlterOp.SUBTRACT: {
            const remove = new Set((c.value ?? '').split(','));
            const left = current.filter((v) => !remove.has(v));
            changes[c.name] = left.length > 0 ? left.join(',') : null;
            break;
          }
          default:
            problem = `Unknown config operation ${c.configOperation} for ${c.name}`;
        }
      }
      if (problem) {
        responses.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem });
        continue;
      }
      const result = await this.topics.alterConfigs(r.resourceName, changes, false, request.validateOnly);
      responses.push({ ...base, errorCode: result.errorCode, errorMessage: result.errorMessage });
    }
    return { throttleTimeMs: 0, responses };
  }
}
