import { Kafka, logLevel } from 'kafkajs';

/**
 * What every command needs: where the platform is, how to print, and errors that carry
 * their exit code.
 *
 * Endpoints (flags win over environment, environment over defaults — the defaults are
 * `npm start`'s embedded platform):
 *   --bootstrap     MILLRACE_BOOTSTRAP      127.0.0.1:9092          Kafka protocol
 *   --registry-url  MILLRACE_REGISTRY_URL   http://127.0.0.1:8081   schema registry (the broker's HTTP port)
 *   --admin-url     MILLRACE_ADMIN_URL      the registry URL        broker admin API (/admin, /health)
 *   --connect-url   MILLRACE_CONNECT_URL    http://127.0.0.1:8083   Kafka Connect REST
 *
 * Exit codes (EXIT): 0 success; 1 the platform refused or failed the operation; 2 a
 * usage error (unknown command or option, bad value); 3 the named thing does not exist;
 * 4 a component could not be reached; 5 a reconciliation found drift (source and
 * warehouse differ).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, unreachable: 4, drift: 5 } as const;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

export interface GlobalOptions {
  bootstrap?: string;
  registryUrl?: string;
  adminUrl?: string;
  connectUrl?: string;
  json?: boolean;
}

export interface CliContext {
  readonly bootstrap: string[];
  readonly registryUrl: string;
  readonly adminUrl: string;
  readonly connectUrl: string;
  readonly json: boolean;
  /** A kafkajs client (built on first use, quiet: errors surface as CliErrors). */
  kafka(): Kafka;
  out(text: string): void;
}

export function makeContext(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env, write: (s: string) => void = (s) => process.stdout.write(s)): CliContext {
  const registryUrl = trimSlash(opts.registryUrl ?? env.MILLRACE_REGISTRY_URL ?? 'http://127.0.0.1:8081');
  const bootstrap = (opts.bootstrap ?? env.MILLRACE_BOOTSTRAP ?? '127.0.0.1:9092').split(',').map((s) => s.trim()).filter((s) => s !== '');
  let kafka: Kafka | null = null;
  return {
    bootstrap,
    registryUrl,
    adminUrl: trimSlash(opts.adminUrl ?? env.MILLRACE_ADMIN_URL ?? registryUrl),
    connectUrl: trimSlash(opts.connectUrl ?? env.MILLRACE_CONNECT_URL ?? 'http://127.0.0.1:8083'),
    json: opts.json === true,
    kafka: () => (kafka ??= new Kafka({ clientId: 'millrace-cli', brokers: bootstrap, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 200 }, connectionTimeout: 3000 })),
    out: write,
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Turns a kafkajs failure into a CliError with a meaningful exit code. */
export function kafkaError(err: unknown, what: string): CliError {
  const e = err as { type?: string; message?: string; name?: string };
  const text = e.message ?? String(err);
  if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION' || /does not host this topic-partition|not found/i.test(text)) return new CliError(`${what}: ${text}`, EXIT.notFound);
  if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSNumberOfRetriesExceeded' || /ECONNREFUSED|Connection timeout/i.test(text)) return new CliError(`${what}: cannot reach the Kafka bootstrap servers (${text}); set --bootstrap or MILLRACE_BOOTSTRAP`, EXIT.unreachable);
  return new CliError(`${what}: ${text}`, EXIT.failed);
}
