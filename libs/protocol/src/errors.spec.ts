import { ErrorCode, errorInfo, errorMessage, errorName, isRetriable } from './errors';

describe('error codes', () => {
  it('matches Kafka numbering', () => {
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1);
    expect(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
    expect(ErrorCode.NOT_COORDINATOR).toBe(16);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(ErrorCode.TOPIC_ALREADY_EXISTS).toBe(36);
    expect(ErrorCode.PRODUCER_FENCED).toBe(90);
    expect(ErrorCode.UNKNOWN_TOPIC_ID).toBe(100);
    expect(ErrorCode.TRANSACTION_ABORTABLE).toBe(120);
  });

  it('has a contiguous table from -1 to 120 with messages and retriability', () => {
    for (let code = -1; code <= 120; code++) {
      const info = errorInfo(code);
      expect(info?.code).toBe(code);
      expect(info?.message.length).toBeGreaterThan(0);
    }
    expect(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe(true);
    expect(isRetriable(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)).toBe(true);
    expect(isRetriable(ErrorCode.TOPIC_AUTHORIZATION_FAILED)).toBe(false);
    expect(errorName(ErrorCode.REBALANCE_IN_PROGRESS)).toBe('REBALANCE_IN_PROGRESS');
    expect(errorMessage(9999)).toBe('Unknown error code 9999.');
    expect(errorName(9999)).toBe('UNKNOWN_ERROR_9999');
    expect(isRetriable(9999)).toBe(false);
  });
});
