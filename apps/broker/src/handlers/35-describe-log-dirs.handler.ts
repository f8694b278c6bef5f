import { statfs } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { DescribeLogDirsApi, ErrorCode, type DescribeLogDirsRequestData, type DescribeLogDirsResponseInput } from '@millrace/protocol';
import { LogManager, type UnifiedLog } from '@millrace/storage';
import type { ApiHandler } from './api-handler';

type LogDirTopic = DescribeLogDirsResponseInput['results'][number]['topics'][number];

/**
 * DescribeLogDirs (35), v0-4: this broker's one log directory (MILLRACE_DATA_DIR/logs)
 * with, per hosted topic-partition (all, or those asked for; partitions this broker does
 * not host are left out, as in Kafka), the bytes of its segments and Kafka's offset lag
 * max(0, high watermark − log end offset) of the local log. No future logs
 * (AlterReplicaLogDirs is not served). v4 adds the volume's total and usable bytes
 * (statfs; -1 when the filesystem cannot say). A log taken offline by a disk error is
 * listed under the directory with KAFKA_STORAGE_ERROR when every log is offline, else
 * left out.
 */
@Injectable()
export class DescribeLogDirsHandler implements ApiHandler<typeof DescribeLogDirsApi> {
  readonly api = DescribeLogDirsApi;
  readonly minVersion = 0;
  readonly maxVersion = 4;

  constructor(private readonly logs: LogManager) {}

  async handle(request: DescribeLogDirsRequestData): Promise<DescribeLogDirsResponseInput> {
    const wanted = request.topics === null ? null : new Map(request.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const all = this.logs.allLogs();
    const hosted = all.filter((log) => !log.isOffline && (wanted === null || (wanted.get(log.topic)?.has(log.partition) ?? false)));
    const byTopic = new Map<string, UnifiedLog[]>();
    for (const log of hosted) byTopic.set(log.topic, [...(byTopic.get(log.topic) ?? []), log]);
    const topics: LogDirTopic[] = [...byTopic]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, logs]) => ({
        name,
        partitions: logs
          .sort((a, b) => a.partition - b.partition)
          .map((log) => ({ partitionIndex: log.partition, partitionSize: log.size, offsetLag: Math.max(0, log.highWatermark - log.logEndOffset), isFutureKey: false })),
      }));
    const allOffline = all.length > 0 && all.every((log) => log.isOffline);
    const volume = await statfs(this.logs.dataDir).then(
      (s) => ({ totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize }),
      () => ({ totalBytes: -1, usableBytes: -1 }),
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: allOffline ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NONE, logDir: this.logs.dataDir, topics, ...volume }],
    };
  }
}
