import { Injectable } from '@nestjs/common';
import { DeleteRecordsApi, type DeleteRecordsRequestData, type DeleteRecordsResponseInput } from '@millrace/protocol';
import { ReplicaManager } from '../partition/replica-manager';
import type { ApiHandler } from './api-handler';

/** DeleteRecords (21), v0-2: moves each partition's log start offset up (offset -1 = high watermark). */
@Injectable()
export class DeleteRecordsHandler implements ApiHandler<typeof DeleteRecordsApi> {
  readonly api = DeleteRecordsApi;
  readonly minVersion = 0;
  readonly maxVersion = 2;

  constructor(private readonly replicas: ReplicaManager) {}

  async handle(request: DeleteRecordsRequestData): Promise<DeleteRecordsResponseInput> {
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const r = await this.replicas.deleteRecords(t.name, p.partitionIndex, p.offset);
            return { partitionIndex: p.partitionIndex, lowWatermark: r.lowWatermark, errorCode: r.errorCode };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  }
}
