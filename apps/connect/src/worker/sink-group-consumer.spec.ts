import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { isGroupRebalanceError, sinkConsumerKind } from './sink-group-consumer';

describe('isGroupRebalanceError', () => {
  // kafkajs's retrier does `new KafkaJSNonRetriableError(e, { cause })`; its typings know only the first argument
  const nonRetriable = (e: Error): Error => new (KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error)(e, { cause: e });
  const protocol = (type: string): Error => new KafkaJSProtocolError({ message: type, type, code: 25, retriable: false } as unknown as Error);

  it('knows the rejoin errors, also wrapped as kafkajs wraps a failed commit (NonRetriable with the protocol error as cause)', () => {
    expect(isGroupRebalanceError(protocol('UNKNOWN_MEMBER_ID'))).toBe(true);
    const wrapped = nonRetriable(protocol('UNKNOWN_MEMBER_ID'));
    expect(wrapped.message).toBe('UNKNOWN_MEMBER_ID');
    expect(isGroupRebalanceError(wrapped)).toBe(true);
    expect(isGroupRebalanceError(nonRetriable(protocol('REBALANCE_IN_PROGRESS')))).toBe(true);
  });

  it('refuses other errors', () => {
    expect(isGroupRebalanceError(nonRetriable(protocol('TOPIC_AUTHORIZATION_FAILED')))).toBe(false);
    expect(isGroupRebalanceError(new Error('UNKNOWN_MEMBER_ID'))).toBe(false);
    expect(isGroupRebalanceError(null)).toBe(false);
  });
});

describe('sinkConsumerKind (MILLRACE_SINK_CONSUMER)', () => {
  it('defaults to protocol, takes protocol or kafkajs, and refuses anything else naming the setting', () => {
    expect(sinkConsumerKind({})).toBe('protocol');
    expect(sinkConsumerKind({ MILLRACE_SINK_CONSUMER: '' })).toBe('protocol');
    expect(sinkConsumerKind({ MILLRACE_SINK_CONSUMER: ' protocol ' })).toBe('protocol');
    expect(sinkConsumerKind({ MILLRACE_SINK_CONSUMER: 'kafkajs' })).toBe('kafkajs');
    expect(() => sinkConsumerKind({ MILLRACE_SINK_CONSUMER: 'librdkafka' })).toThrow('MILLRACE_SINK_CONSUMER must be "protocol" or "kafkajs", got "librdkafka"');
  });
});
