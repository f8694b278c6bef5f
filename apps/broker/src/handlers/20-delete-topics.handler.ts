import { Injectable } from '@nestjs/common';
import { DeleteTopicsApi, ErrorCode, type DeleteTopicsRequestData, type DeleteTopicsResponseInput } from '@millrace/protocol';
import { TopicManager } from '../metadata/topic-manager';
import type { ApiHandler, RequestContext } from './api-handler';

/** DeleteTopics (20), v0-6: by name (v0-5 topicNames, v6 topics[].name) or by topic id (v6). */
@Injectable()
export class DeleteTopicsHandler implements ApiHandler<typeof DeleteTopicsApi> {
  readonly api = DeleteTopicsApi;
  readonly minVersion = 0;
  readonly maxVersion = 6;

  constructor(private readonly topics: TopicManager) {}

  async handle(request: DeleteTopicsRequestData, context: RequestContext): Promise<DeleteTopicsResponseInput> {
    const wanted =
      context.apiVersion >= 6
        ? request.topics.map((t) => ({ name: t.name ?? this.topics.byId(t.topicId)?.name ?? null, topicId: t.topicId }))
        : request.topicNames.map((name) => ({ name, topicId: this.topics.get(name)?.topicId ?? 'AAAAAAAAAAAAAAAAAAAAAA' }));
    const responses: DeleteTopicsResponseInput['responses'] = [];
    for (const w of wanted) {
      if (w.name === null) {
        responses.push({ name: null, topicId: w.topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' });
        continue;
      }
      const result = await this.topics.deleteTopic(w.name);
      responses.push({ name: w.name, topicId: result.topic?.topicId ?? w.topicId, errorCode: result.errorCode, errorMessage: result.errorMessage });
    }
    return { throttleTimeMs: 0, responses };
  }
}
