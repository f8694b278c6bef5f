import { runKcat, runPython } from './kafka-cli';

describe('kafka CLI helpers', () => {
  it('runs kcat, which is built on librdkafka', async () => {
    const result = await runKcat(['-V'], { timeoutMs: 10_000 });
    expect(result.code).toBe(0);
    expect(result.stdout.toString('utf8')).toMatch(/librdkafka \d+\.\d+\.\d+/);
  });

  it('runs the system python3, which has confluent_kafka, passing arguments and stdin', async () => {
    const script = 'import sys, confluent_kafka\nprint(confluent_kafka.libversion()[0], sys.argv[1], sys.stdin.read())';
    const result = await runPython(script, ['arg1'], { input: 'from-stdin', timeoutMs: 10_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString('utf8').trim()).toMatch(/^\d+\.\d+\.\d+ arg1 from-stdin$/);
  });

  it('kills a child that outlives its timeout', async () => {
    const started = Date.now();
    const result = await runPython('import time\nprint("started", flush=True)\ntime.sleep(30)', [], { timeoutMs: 500 });
    expect(result.timedOut).toBe(true);
    expect(result.code).toBeNull();
    expect(result.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
