import { ApiVersionsApi, decodeResponse, encodeRequest, ErrorCode, HeartbeatApi, type HeartbeatResponseInput } from '@millrace/protocol';
import { ApiVersionsHandler } from './18-api-versions.handler';
import type { ApiHandler } from './api-handler';
import { HandlerRegistry } from './handler-registry';
import { ApiRequestDispatcher } from './request-dispatcher.service';

const connection = { connectionId: 1, clientHost: '127.0.0.1', clientPort: 5555 };

class FakeHeartbeat implements ApiHandler<typeof HeartbeatApi> {
  readonly api = HeartbeatApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;
  seen: string[] = [];
  handle(request: { groupId: string }): HeartbeatResponseInput {
    this.seen.push(request.groupId);
    return { throttleTimeMs: 0, errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
  }
}

function setup(): { dispatcher: ApiRequestDispatcher; heartbeat: FakeHeartbeat } {
  const heartbeat = new FakeHeartbeat();
  const registry = new HandlerRegistry([heartbeat as unknown as ApiHandler]);
  registry.register(new ApiVersionsHandler(registry));
  return { dispatcher: new ApiRequestDispatcher(registry), heartbeat };
}

function withoutSize(frame: Buffer): Buffer {
  return frame.subarray(4);
}

describe('ApiRequestDispatcher', () => {
  it('runs the handler for a supported request and encodes its answer', async () => {
    const { dispatcher, heartbeat } = setup();
    const req = encodeRequest(HeartbeatApi.apiKey, 3, 42, 'c', { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
    const out = await dispatcher.dispatch(withoutSize(req), connection);
    const res = decodeResponse(HeartbeatApi.apiKey, 3, withoutSize(Buffer.concat(out!)));
    expect(res.correlationId).toBe(42);
    expect(res.body.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(heartbeat.seen).toEqual(['g']);
  });

  it('lists exactly the registered APIs in ApiVersions', async () => {
    const { dispatcher } = setup();
    const out = await dispatcher.dispatch(withoutSize(encodeRequest(ApiVersionsApi.apiKey, 3, 7, 'c', { clientSoftwareName: 'x', clientSoftwareVersion: '1' })), connection);
    const res = decodeResponse(ApiVersionsApi.apiKey, 3, withoutSize(Buffer.concat(out!)));
    expect(res.body.apiKeys).toEqual([
      { apiKey: 12, minVersion: 0, maxVersion: 3 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ]);
  });

  it('answers an unsupported ApiVersions version with a v0 body and UNSUPPORTED_VERSION', async () => {
    const { dispatcher } = setup();
    const frame = withoutSize(encodeRequest(ApiVersionsApi.apiKey, 3, 9, 'c', { clientSoftwareName: 'x', clientSoftwareVersion: '1' }));
    frame.writeInt16BE(77, 2);
    const out = await dispatcher.dispatch(frame, connection);
    const res = decodeResponse(ApiVersionsApi.apiKey, 0, withoutSize(Buffer.concat(out!)));
    expect(res.correlationId).toBe(9);
    expect(res.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
  });

  it('rejects unknown APIs, unsupported versions and truncated bodies', async () => {
    const { dispatcher } = setup();
    const hb = withoutSize(encodeRequest(HeartbeatApi.apiKey, 3, 1, 'c', { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }));
    const unknown = Buffer.from(hb);
    unknown.writeInt16BE(999, 0);
    await expect(dispatcher.dispatch(unknown, connection)).rejects.toThrow(/unsupported API key 999/);
    const v4 = Buffer.from(hb);
    v4.writeInt16BE(4, 2);
    await expect(dispatcher.dispatch(v4, connection)).rejects.toThrow(/unsupported version 4 of Heartbeat/);
    expect(() => dispatcher.dispatch(hb.subarray(0, hb.length - 3), connection)).toThrow();
  });
});
