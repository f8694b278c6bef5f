import type { z } from 'zod';

/** A configuration problem that stops start-up; the message lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super('Invalid configuration:\n' + problems.map((p) => '  - ' + p).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Variables whose values are never echoed in a ConfigError (keys, passwords, tokens). */
const SECRET_VARIABLE = /(KEY|PASSWORD|SECRET|TOKEN)$/;

/**
 * Validates the environment variables a zod object schema names (empty values count as
 * unset, so defaults apply). Throws ConfigError naming each bad variable with its value
 * and what was expected, e.g. `MILLRACE_KAFKA_PORT="abc": Invalid input: expected number`;
 * the value of a variable named like a secret (…_KEY, …_PASSWORD, …_SECRET, …_TOKEN) is
 * shown as `(hidden, N characters)`.
 */
export function parseEnv<S extends z.ZodObject<z.ZodRawShape>>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const value = env[name];
        const shown = SECRET_VARIABLE.test(name) && value !== undefined ? `(hidden, ${value.length} characters)` : JSON.stringify(value);
        return `${name}=${shown}: ${issue.message}`;
      }),
    );
  }
  return parsed.data;
}
