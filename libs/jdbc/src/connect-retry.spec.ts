import { connectWithRetry, JdbcConnectError } from './connect-retry';

describe('connectWithRetry', () => {
  const options = { attempts: 3, backoffMs: 1, target: 'postgresql://h:5432/db' };

  it('returns the first success and logs each failed try before it', async () => {
    const warnings: string[] = [];
    let tries = 0;
    const result = await connectWithRetry(
      async (attempt) => {
        tries++;
        if (attempt < 3) throw new Error(`refused ${attempt}`);
        return 'connected';
      },
      { ...options, logger: { warn: (m) => warnings.push(m) } },
    );
    expect(result).toBe('connected');
    expect(tries).toBe(3);
    expect(warnings).toEqual([
      'connecting to postgresql://h:5432/db failed (attempt 1/3): refused 1; retrying in 1 ms',
      'connecting to postgresql://h:5432/db failed (attempt 2/3): refused 2; retrying in 1 ms',
    ]);
  });

  it('throws JdbcConnectError with the last failure as cause', async () => {
    const last = new Error('refused 3');
    let attempt = 0;
    const failing = connectWithRetry(async () => {
      attempt++;
      throw attempt === 3 ? last : new Error('earlier');
    }, options);
    await expect(failing).rejects.toThrow(new JdbcConnectError('postgresql://h:5432/db', 3, last));
    await expect(failing).rejects.toMatchObject({ attempts: 3, cause: last, message: 'cannot connect to postgresql://h:5432/db after 3 attempt(s): refused 3' });
  });

  it('stops early when aborted', async () => {
    let tries = 0;
    await expect(
      connectWithRetry(
        async () => {
          tries++;
          throw new Error('down');
        },
        { ...options, aborted: () => true },
      ),
    ).rejects.toMatchObject({ attempts: 1 });
    expect(tries).toBe(1);
  });
});
