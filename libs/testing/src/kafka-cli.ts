import { runCommand, type RunResult } from './run-command';

/** The Debian kcat binary (librdkafka-based Kafka CLI). */
export const KCAT = '/usr/bin/kcat';
/**
 * The Debian python3, the one with python3-confluent-kafka. Named explicitly because a
 * pyenv python3 earlier in PATH lacks confluent_kafka.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface CliOptions {
  /** Written to stdin, which is then closed (kcat -P reads messages from it). */
  readonly input?: Buffer | string;
  /** The child is SIGKILLed after this long (default 30 s) and `timedOut` is set. */
  readonly timeoutMs?: number;
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
}

/**
 * Runs kcat with `args` verbatim (no shell). Resolves with its raw stdout, stderr and exit
 * code whatever the outcome; a timeout kills it and resolves with `timedOut: true`
 * (`code` null). Consumers should pass `-e` so kcat exits at the end of the partition.
 */
export function runKcat(args: readonly string[], opts: CliOptions = {}): Promise<RunResult> {
  return runCommand(KCAT, args, { input: opts.input, timeoutMs: opts.timeoutMs, env: opts.env });
}

/**
 * Runs `script` (Python source) with /usr/bin/python3 as `python3 -c script ...args`, so
 * `sys.argv[1:]` are `args`. Output is unbuffered. Same result and timeout contract as
 * {@link runKcat}.
 */
export function runPython(script: string, args: readonly string[] = [], opts: CliOptions = {}): Promise<RunResult> {
  return runCommand(SYSTEM_PYTHON, ['-c', script, ...args], {
    input: opts.input,
    timeoutMs: opts.timeoutMs,
    env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...opts.env },
  });
}
