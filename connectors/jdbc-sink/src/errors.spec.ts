import { RetriableError } from '@millrace/connect-sdk';
import { classifyDbError, isRetriableDbError } from './errors';

describe('database error classification', () => {
  it('treats lost connections, deadlocks and SQLSTATE class 08 as retriable', () => {
    expect(isRetriableDbError(Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetriableDbError({ message: 'query failed', driverError: { code: '40P01' } })).toBe(true);
    expect(isRetriableDbError(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isRetriableDbError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isRetriableDbError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
  });

  it('wraps retriable errors in the SDK RetriableError and passes the others through', () => {
    const lost = Object.assign(new Error('gone'), { code: 'PROTOCOL_CONNECTION_LOST' });
    const wrapped = classifyDbError(lost, 'writing');
    expect(wrapped).toBeInstanceOf(RetriableError);
    expect((wrapped as RetriableError).cause).toBe(lost);
    const bad = new Error('syntax');
    expect(classifyDbError(bad, 'writing')).toBe(bad);
  });
});
