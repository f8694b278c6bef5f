import { z } from 'zod';

/** Body of POST /admin/topics. Partitions and replication factor default to the broker's. */
export const CreateTopicDto = z
  .object({
    name: z.string().min(1),
    partitions: z.number().int().min(1).max(100000).optional(),
    replicationFactor: z.number().int().min(1).optional(),
    configs: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type CreateTopicDto = z.infer<typeof CreateTopicDto>;

/** Turns a zod failure into one message naming each bad field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}
