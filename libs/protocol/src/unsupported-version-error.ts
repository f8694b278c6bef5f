/**
 * Thrown by `decodeRequest` when the frame's header is readable but the API key is
 * unknown (`reason: 'unknown-api'`) or the version is outside the API's supported range
 * (`reason: 'unsupported-version'`). Carries the header fields so the caller can answer
 * (ApiVersions gets a v0 UNSUPPORTED_VERSION response; Kafka closes the connection for
 * other APIs).
 */
export class UnsupportedVersionError extends Error {
  override readonly name = 'UnsupportedVersionError';

  constructor(
    readonly reason: 'unknown-api' | 'unsupported-version',
    readonly apiKey: number,
    readonly apiVersion: number,
    readonly correlationId: number,
  ) {
    super(
      reason === 'unknown-api'
        ? `unknown API key ${apiKey}`
        : `unsupported version ${apiVersion} of API key ${apiKey}`,
    );
  }
}
