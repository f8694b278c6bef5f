/**
 * Stops kafkajs 2.2.4's idle timer loop (kafkajs issues #1556 and #1704, unfixed
 * upstream): every connection's RequestQueue, once it has answered a request, re-arms
 * `scheduleCheckPendingRequests` with `setTimeout(throttledUntil - now)`; with no
 * throttling that delay is negative, Node runs it after 1 ms, and the check re-arms it
 * again. Each kafkajs connection of a process therefore wakes its event loop about 1,000
 * times a second while idle. Measured in the broker (whose schema registry store is a
 * kafkajs client): ~1,200 epoll wake-ups/s and ~45 ms of CPU per second with no traffic,
 * a cost every Kafka request of the process pays on the same event loop.
 *
 * The fix: a check is scheduled only while a request waits in `pending`. Nothing is lost:
 * `push` schedules one whenever it queues a request (throttled or over the in-flight
 * limit), a throttled check re-arms itself while requests still wait, and a freed
 * in-flight slot runs the check directly (`fulfillRequest`, a request timeout).
 *
 * Applied once, to RequestQueue's prototype, by `createKafkaClient` (the one way this
 * project builds a kafkajs client). The patched method is checked for: a kafkajs
 * version without it leaves this a no-op.
 */
interface RequestQueueLike {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

let applied = false;

export function applyKafkajsIdleTimerFix(): void {
  if (applied) return;
  applied = true;
  // kafkajs does not export RequestQueue; its file is the package's own module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueLike } | undefined;
  const proto = RequestQueue?.prototype;
  if (proto === undefined || typeof proto.scheduleCheckPendingRequests !== 'function') return;
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function scheduleWhilePending(this: RequestQueueLike): void {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
}
