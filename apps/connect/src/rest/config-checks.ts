import { ConnectRestError } from '../http/connect-rest-error';

/*
 * Checks of an incoming connector config made in the REST layer, before the herder sees
 * it: its size, and (so that the herder's message cannot echo a secret) its class.
 */

/** Largest REST request body: 1 MiB (Express answers 413 above it, naming the limit). */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/**
 * Largest connector config, as its UTF-8 JSON: 128 KiB. A config is one record of
 * connect-configs and a connector's task configs (usually copies of it) are written in
 * one batch, which must stay under the broker's max.message.bytes (1 MiB by default).
 */
export const MAX_CONNECTOR_CONFIG_BYTES = 128 * 1024;

/** Throws 400 naming the limit when a config is larger than MAX_CONNECTOR_CONFIG_BYTES. */
export function assertConfigSize(config: Readonly<Record<string, string | null>>): void {
  const bytes = Buffer.byteLength(JSON.stringify(config), 'utf8');
  if (bytes > MAX_CONNECTOR_CONFIG_BYTES) {
    throw ConnectRestError.badRequest(`Connector configuration is too large: ${bytes} bytes, the limit is ${MAX_CONNECTOR_CONFIG_BYTES} bytes`);
  }
}

/**
 * Throws Kafka Connect's 400 for a config without `connector.class`, showing the config
 * with its secret values masked by `mask`.
 */
export function assertConnectorClass(config: Readonly<Record<string, string>>, mask: (config: Readonly<Record<string, string>>) => Record<string, string>): void {
  if ((config['connector.class'] ?? '') === '') throw ConnectRestError.badRequest(`Connector config ${JSON.stringify(mask(config))} contains no connector type`);
}
