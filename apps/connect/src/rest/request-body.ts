import type { z } from 'zod';
import { ConnectRestError } from '../http/connect-rest-error';

/**
 * Parses a request body with a zod schema; a mismatch is a 400 whose message names
 * every bad field by its path (e.g. `config.tasks.max: expected string`).
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`);
  throw ConnectRestError.badRequest(`Invalid request body: ${problems.join('; ')}`);
}
