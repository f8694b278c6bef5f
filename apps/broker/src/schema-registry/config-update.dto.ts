import { z } from 'zod';
import { RegistryErrors } from './registry-errors';

/** Body of PUT /config[/{subject}], validated with zod; a body that does not fit is 422 / 42203. */
export const COMPATIBILITY_LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'] as const;
export type CompatibilityLevelName = (typeof COMPATIBILITY_LEVELS)[number];

const level = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(COMPATIBILITY_LEVELS));

/** PUT /config[/{subject}]: `compatibility` (any case) and/or `normalize`; at least one. */
export const ConfigUpdateDto = z
  .looseObject({
    compatibility: level.nullish(),
    compatibilityLevel: level.nullish(),
    normalize: z.boolean().nullish(),
  })
  .refine((c) => c.compatibility != null || c.compatibilityLevel != null || c.normalize != null);

export interface ConfigUpdate {
  compatibilityLevel?: CompatibilityLevelName;
  normalize?: boolean;
}

export function parseConfigUpdate(body: unknown): ConfigUpdate {
  const parsed = ConfigUpdateDto.safeParse(body ?? null);
  if (!parsed.success) throw RegistryErrors.invalidCompatibilityLevel();
  const c = parsed.data;
  const out: ConfigUpdate = {};
  const lvl = c.compatibility ?? c.compatibilityLevel;
  if (lvl != null) out.compatibilityLevel = lvl;
  if (c.normalize != null) out.normalize = c.normalize;
  return out;
}

