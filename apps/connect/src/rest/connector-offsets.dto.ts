import { z } from 'zod';

/** `PATCH /connectors/{c}/offsets` body: `{"offsets": [{"partition": {...}, "offset": {...} | null}]}`. */
export const alterOffsetsDto = z.object({
  offsets: z
    .array(
      z.object({
        partition: z.record(z.string(), z.unknown()),
        offset: z.record(z.string(), z.unknown()).nullable(),
      }),
    )
    .min(1, 'must list at least one partition'),
});
