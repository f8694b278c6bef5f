import { z } from 'zod';
import { RegistryErrors } from './registry-errors';

/**
 * Body of register, look-up and compatibility requests, validated with zod. A body that
 * does not fit is 422 / 42201 (42202 when only the `version` field is wrong).
 */
const reference = z.object({ name: z.string().min(1), subject: z.string().min(1), version: z.number().int() });

/** Body of register, look-up and compatibility requests. Unknown fields (metadata, ruleSet) are ignored. */
export const SchemaRequestDto = z.looseObject({
  schema: z.string().min(1, 'Empty schema'),
  schemaType: z.string().nullish(),
  references: z.array(reference).nullish(),
  id: z.number().int().nullish(),
  version: z.number().int().nullish(),
});
export type SchemaRequest = z.infer<typeof SchemaRequestDto>;

export function parseSchemaRequest(body: unknown): SchemaRequest {
  const parsed = SchemaRequestDto.safeParse(body ?? null);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue.path[0] === 'version') throw RegistryErrors.invalidVersion(String((body as Record<string, unknown>).version));
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw RegistryErrors.invalidSchema(`Invalid schema request: ${where}${issue.message}`);
}

