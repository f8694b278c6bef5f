import { ErrorCode, errorName, ListOffsetsApi } from '@millrace/protocol';
import { ISOLATION_LEVEL_CODE, type IsolationLevel } from '../fetched-records';
import { GroupConsumerError } from './group-consumer-types';
import type { LeaderRoutes } from './leader-routes';
import { withRequestTimeout } from './request-timeout';

const LIST_OFFSETS_VERSION = 2;

/**
 * The offset of `topic`-`partition` (key `key`) at `timestamp` as its leader answers
 * ListOffsets v2 (-2: the earliest, -1: the latest; `isolation` decides whether the
 * latest is the high watermark or the last stable offset). No leader known, an error
 * code or no answer within `timeoutMs` (the connection is then closed) throw a
 * GroupConsumerError or the timeout's error.
 */
export async function listOffset(
  routes: LeaderRoutes,
  p: { readonly topic: string; readonly partition: number; readonly key: string },
  timestamp: number,
  isolation: IsolationLevel,
  timeoutMs: number,
): Promise<number> {
  const leader = routes.leaderOf(p.key);
  if (leader === undefined) throw new GroupConsumerError(`no leader known for ${p.key}`);
  const conn = await routes.connection(leader);
  const listing = conn.send(ListOffsetsApi.apiKey, LIST_OFFSETS_VERSION, {
    replicaId: -1,
    isolationLevel: ISOLATION_LEVEL_CODE[isolation],
    topics: [{ name: p.topic, partitions: [{ partitionIndex: p.partition, timestamp }] }],
  });
  const res = await withRequestTimeout(listing, timeoutMs, `ListOffsets ${p.key}`, () => conn.close());
  const r = res.topics[0]?.partitions[0];
  if (!r || r.errorCode !== ErrorCode.NONE) throw new GroupConsumerError(`ListOffsets ${p.key} failed with ${errorName(r?.errorCode ?? -1)}`);
  return r.offset;
}
