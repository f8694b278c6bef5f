import { Injectable } from '@nestjs/common';
import { ListOffsetsApi, type ListOffsetsRequestData, type ListOffsetsResponseInput } from '@millrace/protocol';
import { ReplicaManager } from '../partition/replica-manager';
import type { IsolationLevel } from '../partition/partition-types';
import type { ApiHandler, RequestContext } from './api-handler';

/**
 * ListOffsets (2), v0-7: earliest (-2), latest (-1), max timestamp (-3, v7) or the first
 * offset whose timestamp is >= the given one. v0 answers in its old style (a list
 * holding the one offset).
 */
@Injectable()
export class ListOffsetsHandler implements ApiHandler<typeof ListOffsetsApi> {
  readonly api = ListOffsetsApi;
  readonly minVersion = 0;
  readonly maxVersion = 7;

  constructor(private readonly replicas: ReplicaManager) {}

  async handle(request: ListOffsetsRequestData, context: RequestContext): Promise<ListOffsetsResponseInput> {
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            const o = await this.replicas.listOffset(t.name, p.partitionIndex, p.timestamp, request.isolationLevel as IsolationLevel, p.currentLeaderEpoch);
            return {
              partitionIndex: p.partitionIndex,
              errorCode: o.errorCode,
              oldStyleOffsets: context.apiVersion === 0 && o.offset >= 0 ? [o.offset] : [],
              timestamp: o.timestamp,
              offset: o.offset,
              leaderEpoch: o.leaderEpoch,
            };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  }
}
