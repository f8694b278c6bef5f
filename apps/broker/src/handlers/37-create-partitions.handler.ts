import { Injectable } from '@nestjs/common';
import { CreatePartitionsApi, type CreatePartitionsRequestData, type CreatePartitionsResponseInput } from '@millrace/protocol';
import { TopicManager } from '../metadata/topic-manager';
import type { ApiHandler } from './api-handler';

/** CreatePartitions (37), v0-3: grows topics; manual assignments (one per new partition) may name only this broker. */
@Injectable()
export class CreatePartitionsHandler implements ApiHandler<typeof CreatePartitionsApi> {
  readonly api = CreatePartitionsApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly topics: TopicManager) {}

  async handle(request: CreatePartitionsRequestData): Promise<CreatePartitionsResponseInput> {
    const results: CreatePartitionsResponseInput['results'] = [];
    for (const t of request.topics) {
      const r = await this.topics.createPartitions(t.name, t.count, request.validateOnly, t.assignments);
      results.push({ name: t.name, errorCode: r.errorCode, errorMessage: r.errorMessage });
    }
    return { throttleTimeMs: 0, results };
  }
}
