import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, IncrementalAlterConfigsApi, type IncrementalAlterConfigsRequestData, type IncrementalAlterConfigsResponseInput } from '@millrace/protocol';
import { logConfigToStrings } from '@millrace/storage';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { DynamicBrokerConfig } from '../config/dynamic-broker-config';
import { TopicManager } from '../metadata/topic-manager';
import { brokerConfigLevel } from './broker-config-resource';
import { ConfigResourceType } from './config-resource';
import type { ApiHandler } from './api-handler';

/** Kafka's AlterConfigOp types. APPEND/SUBTRACT apply to list configs (cleanup.policy). */
enum AlterOp {
  SET = 0,
  DELETE = 1,
  APPEND = 2,
  SUBTRACT = 3,
}

type Resource = IncrementalAlterConfigsRequestData['resources'][number];
type Response = IncrementalAlterConfigsResponseInput['responses'][number];

/**
 * IncrementalAlterConfigs (44), v0-1: SET, DELETE, APPEND, SUBTRACT on topic configs and
 * on the dynamic configs of a BROKER resource (this broker's id, or '' for the cluster
 * default; static configs are refused, see DynamicBrokerConfig.alter).
 */
@Injectable()
export class IncrementalAlterConfigsHandler implements ApiHandler<typeof IncrementalAlterConfigsApi> {
  readonly api = IncrementalAlterConfigsApi;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(
    private readonly topics: TopicManager,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly brokerConfigs: DynamicBrokerConfig,
  ) {}

  async handle(request: IncrementalAlterConfigsRequestData): Promise<IncrementalAlterConfigsResponseInput> {
    const responses: Response[] = [];
    for (const r of request.resources) {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType === ConfigResourceType.BROKER) responses.push({ ...base, ...(await this.alterBroker(r, request.validateOnly)) });
      else if (r.resourceType === ConfigResourceType.TOPIC) responses.push({ ...base, ...(await this.alterTopic(r, request.validateOnly)) });
      else responses.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}` });
    }
    return { throttleTimeMs: 0, responses };
  }

  private async alterTopic(r: Resource, validateOnly: boolean): Promise<Omit<Response, 'resourceType' | 'resourceName'>> {
    const topic = this.topics.get(r.resourceName);
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${r.resourceName} does not exist` };
    // APPEND/SUBTRACT start from the effective value (the default when not overridden), as in Kafka.
    const effective = logConfigToStrings(this.topics.configOf(topic));
    const ops = applyOps(r.configs, (name) => topic.configs[name] ?? effective[name]);
    if ('problem' in ops) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: ops.problem };
    const result = await this.topics.alterConfigs(r.resourceName, ops.changes, false, validateOnly);
    return { errorCode: result.errorCode, errorMessage: result.errorMessage };
  }

  private async alterBroker(r: Resource, validateOnly: boolean): Promise<Omit<Response, 'resourceType' | 'resourceName'>> {
    const target = brokerConfigLevel(r.resourceName, this.config.nodeId);
    if ('errorCode' in target) return target;
    const current = new Map(this.brokerConfigs.describe('broker', null).map((e) => [e.name, e.value]));
    const ops = applyOps(r.configs, (name) => current.get(name));
    if ('problem' in ops) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: ops.problem };
    return this.brokerConfigs.alter(target.level, ops.changes, false, validateOnly);
  }
}

/**
 * The key -> new value (null = remove the override) map of a list of operations;
 * `currentOf` gives the value APPEND/SUBTRACT start from when the request has not
 * changed the key yet.
 */
function applyOps(
  ops: Resource['configs'],
  currentOf: (name: string) => string | undefined,
): { changes: Record<string, string | null> } | { problem: string } {
  const changes: Record<string, string | null> = {};
  for (const c of ops) {
    const current = (changes[c.name] ?? currentOf(c.name) ?? '').split(',').filter((x) => x !== '');
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
        return { problem: `Unknown config operation ${c.configOperation} for ${c.name}` };
    }
  }
  return { changes };
}
