import { z } from 'zod';

/** A config value as sent: Kafka Connect configs are string maps; numbers and booleans are accepted and stringified. */
export const configValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

/** `POST /connectors` body: `{"name", "config": {...}, "initial_state"?: RUNNING|PAUSED|STOPPED}` (KIP-980). */
export const createConnectorDto = z.object({
  name: z.string().trim().min(1, 'Connector name must not be empty').refine((n) => ![...n].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f || ch === '/'), 'Connector name must not contain control characters or "/"'),
  config: z.record(z.string(), configValue).default({}),
  initial_state: z.enum(['RUNNING', 'PAUSED', 'STOPPED']).optional(),
});

export type CreateConnectorDto = z.infer<typeof createConnectorDto>;
