import { applyKafkajsIdleTimerFix } from './kafkajs-idle-timer-fix';

// kafkajs's own RequestQueue (not exported by the package), the class the fix patches.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: Record<string, unknown>) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
};

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function newQueue(): InstanceType<typeof RequestQueue> {
  return new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 't', broker: 'b:1', logger: silent });
}

describe('applyKafkajsIdleTimerFix', () => {
  beforeAll(() => applyKafkajsIdleTimerFix());

  it('arms no timer when no request waits (kafkajs 2.2.4 re-armed a 1 ms one forever)', () => {
    const q = newQueue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still schedules the check of a request waiting out a throttle', () => {
    const q = newQueue();
    q.throttledUntil = Date.now() + 60_000;
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    q.destroy();
  });

  it('is applied once however often clients are created', () => {
    const patched = RequestQueue.prototype.scheduleCheckPendingRequests;
    applyKafkajsIdleTimerFix();
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(patched);
  });
});
