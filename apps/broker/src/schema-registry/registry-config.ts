import { z } from 'zod';

/**
 * Schema registry settings, read once from the environment when the module is built.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `MILLRACE_REGISTRY_BOOTSTRAP` | this broker's Kafka listener | Kafka bootstrap servers holding `_schemas` (another cluster) |
 * | `MILLRACE_REGISTRY_TOPIC` | `_schemas` | the store topic (Confluent's kafkastore.topic) |
 * | `MILLRACE_REGISTRY_WRITE_TIMEOUT_MS` | `10000` | how long a write may take until the reader has applied it (kafkastore.timeout.ms) |
 * | `MILLRACE_REGISTRY_READY_TIMEOUT_MS` | `30000` | how long a REST request waits for the store to finish loading before 50002 |
 */
export interface RegistryConfig {
  bootstrap: string | undefined;
  topic: string;
  writeTimeoutMs: number;
  readyTimeoutMs: number;
}

export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');

const schema = z.object({
  MILLRACE_REGISTRY_BOOTSTRAP: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'expected host:port[,host:port...]')
    .optional(),
  MILLRACE_REGISTRY_TOPIC: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a Kafka topic name')
    .default('_schemas'),
  MILLRACE_REGISTRY_WRITE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  MILLRACE_REGISTRY_READY_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
});

/** Parses the registry's variables; throws an Error naming the variable on a bad value. */
export function loadRegistryConfig(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const parsed = schema.safeParse({
    MILLRACE_REGISTRY_BOOTSTRAP: env.MILLRACE_REGISTRY_BOOTSTRAP || undefined,
    MILLRACE_REGISTRY_TOPIC: env.MILLRACE_REGISTRY_TOPIC || undefined,
    MILLRACE_REGISTRY_WRITE_TIMEOUT_MS: env.MILLRACE_REGISTRY_WRITE_TIMEOUT_MS || undefined,
    MILLRACE_REGISTRY_READY_TIMEOUT_MS: env.MILLRACE_REGISTRY_READY_TIMEOUT_MS || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid ${String(issue.path[0])}: ${issue.message}`);
  }
  const c = parsed.data;
  return {
    bootstrap: c.MILLRACE_REGISTRY_BOOTSTRAP,
    topic: c.MILLRACE_REGISTRY_TOPIC,
    writeTimeoutMs: c.MILLRACE_REGISTRY_WRITE_TIMEOUT_MS,
    readyTimeoutMs: c.MILLRACE_REGISTRY_READY_TIMEOUT_MS,
  };
}
