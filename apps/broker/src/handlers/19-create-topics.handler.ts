import { Injectable } from '@nestjs/common';
import { CreateTopicsApi, ErrorCode, type CreateTopicsRequestData, type CreateTopicsResponseInput } from '@millrace/protocol';
import { BROKER_CLIENT_ID_PREFIX } from '../metadata/cluster-topic-port';
import { TopicManager } from '../metadata/topic-manager';
import { INTERNAL_TOPICS } from '../metadata/topic-name';
import { describeTopicConfigs } from './topic-config-view';
import type { ApiHandler, RequestContext } from './api-handler';

/**
 * CreateTopics (19), v0-7. -1 partitions / replication factor take the broker defaults.
 * Internal topics are refused, except from another broker of the cluster (one creating
 * `__consumer_offsets` on first use asks the controller).
 */
@Injectable()
export class CreateTopicsHandler implements ApiHandler<typeof CreateTopicsApi> {
  readonly api = CreateTopicsApi;
  readonly minVersion = 0;
  readonly maxVersion = 7;

  constructor(private readonly topics: TopicManager) {}

  async handle(request: CreateTopicsRequestData, context?: RequestContext): Promise<CreateTopicsResponseInput> {
    const fromBroker = context?.clientId?.startsWith(BROKER_CLIENT_ID_PREFIX) ?? false;
    const seen = new Map<string, number>();
    for (const t of request.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    const out: CreateTopicsResponseInput['topics'] = [];
    for (const t of request.topics) {
      if (seen.get(t.name)! > 1) {
        out.push({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Create topics request from client contains multiple entries for ${t.name}`, configs: null });
        continue;
      }
      const configs = Object.fromEntries(t.configs.map((c) => [c.name, c.value]));
      const [result] = await this.topics.createTopics(
        [{ name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, assignments: t.assignments, configs }],
        request.validateOnly,
        fromBroker && INTERNAL_TOPICS.has(t.name),
      );
      const topic = result.topic;
      out.push({
        name: t.name,
        topicId: topic?.topicId,
        errorCode: result.errorCode,
        errorMessage: result.errorMessage,
        numPartitions: topic?.partitions ?? -1,
        replicationFactor: topic?.replicationFactor ?? -1,
        configs: topic
          ? describeTopicConfigs(this.topics, topic, null).map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.configSource, isSensitive: false }))
          : null,
      });
    }
    return { throttleTimeMs: 0, topics: out };
  }
}
