/** A kafkajs error that is retriable, or that kafkajs gave up retrying (its cause is); or a retriable error of the project's producer or group consumer (ProduceError, GroupConsumerError, GroupError). */
export function isTransientKafkaError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, retriable } = e as { name?: unknown; retriable?: unknown };
    if ((name === 'ProduceError' || name === 'GroupConsumerError' || name === 'GroupError') && retriable === true) return true;
    if (typeof name === 'string' && name.startsWith('KafkaJS') && (retriable === true || name === 'KafkaJSNumberOfRetriesExceeded' || name === 'KafkaJSConnectionError')) return true;
  }
  return false;
}
