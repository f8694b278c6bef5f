import { Injectable } from '@nestjs/common';
import { WriteTxnMarkersApi, type WriteTxnMarkersRequestData, type WriteTxnMarkersResponseInput } from '@millrace/protocol';
import { ReplicaManager } from '../partition/replica-manager';
import { PendingTxnOffsets } from '../transaction-coordinator';
import { appendMarker } from '../transaction-coordinator/transaction-markers';
import type { ApiHandler } from './api-handler';

/**
 * WriteTxnMarkers (27), v0-1: a transaction coordinator on another broker asks this
 * broker to append COMMIT/ABORT markers to partitions it leads (one error code per
 * partition; NOT_LEADER_OR_FOLLOWER where it does not lead). A marker on a
 * `__consumer_offsets` partition settles the pending transactional offsets there.
 */
@Injectable()
export class WriteTxnMarkersHandler implements ApiHandler<typeof WriteTxnMarkersApi> {
  readonly api = WriteTxnMarkersApi;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(
    private readonly replicas: ReplicaManager,
    private readonly pendingOffsets: PendingTxnOffsets,
  ) {}

  async handle(request: WriteTxnMarkersRequestData): Promise<WriteTxnMarkersResponseInput> {
    const markers = await Promise.all(
      request.markers.map(async (m) => ({
        producerId: m.producerId,
        topics: await Promise.all(
          m.topics.map(async (t) => ({
            name: t.name,
            partitions: await Promise.all(
              t.partitionIndexes.map(async (partition) => ({
                partitionIndex: partition,
                errorCode: await appendMarker(this.replicas, this.pendingOffsets, {
                  topic: t.name,
                  partition,
                  producerId: m.producerId,
                  producerEpoch: m.producerEpoch,
                  commit: m.transactionResult,
                  coordinatorEpoch: m.coordinatorEpoch,
                }),
              })),
            ),
          })),
        ),
      })),
    );
    return { markers };
  }
}
