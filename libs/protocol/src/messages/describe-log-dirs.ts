import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** DescribeLogDirs (API key 35): versions 0-4, flexible from v2. */
export const DescribeLogDirsRequest = struct({
  topics: array(struct({
    topic: string(),
    partitions: array(int32()),
  }), { nullableVersions: '0+' }),
});

export const DescribeLogDirsResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16({ versions: '3+' }),
  results: array(struct({
    errorCode: int16(),
    logDir: string(),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        partitionSize: int64(),
        offsetLag: int64(),
        isFutureKey: bool({ default: false }),
      })),
    })),
    totalBytes: int64({ versions: '4+', default: -1 }),
    usableBytes: int64({ versions: '4+', default: -1 }),
  })),
});

export const DescribeLogDirsApi = defineApi({
  apiKey: 35,
  name: 'DescribeLogDirs',
  validVersions: [0, 4],
  flexibleFrom: 2,
  request: DescribeLogDirsRequest,
  response: DescribeLogDirsResponse,
});

export type DescribeLogDirsRequestData = Infer<typeof DescribeLogDirsRequest>;
export type DescribeLogDirsRequestInput = InferInput<typeof DescribeLogDirsRequest>;
export type DescribeLogDirsResponseData = Infer<typeof DescribeLogDirsResponse>;
export type DescribeLogDirsResponseInput = InferInput<typeof DescribeLogDirsResponse>;
