import { z } from 'zod';
import { configValue } from './create-connector.dto';

/** `PUT /connectors/{c}/config` body: the whole config as a string map. */
export const putConnectorConfigDto = z.record(z.string(), configValue);

/** `PATCH /connectors/{c}/config` body: keys to set; null removes a key. */
export const patchConnectorConfigDto = z.record(z.string(), z.union([configValue, z.null()]));
