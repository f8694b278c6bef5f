import { z } from 'zod';
import { RegistryErrors } from './registry-errors';
import type { Mode } from './registry-records';

/** Body of PUT /mode[/{subject}]: `{"mode": "READWRITE" | "READONLY" | "IMPORT"}` (any case); otherwise 422 / 42204. */
export const ModeUpdateDto = z.looseObject({
  mode: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(['READWRITE', 'READONLY', 'IMPORT'])),
});

export function parseModeUpdate(body: unknown): Mode {
  const parsed = ModeUpdateDto.safeParse(body ?? null);
  if (!parsed.success) throw RegistryErrors.invalidMode();
  return parsed.data.mode;
}
