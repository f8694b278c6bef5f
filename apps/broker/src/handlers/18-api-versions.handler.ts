import { ApiVersionsApi, ErrorCode, type ApiVersionsRequestData, type ApiVersionsResponseInput } from '@millrace/protocol';
import type { ApiHandler } from './api-handler';
import type { HandlerRegistry } from './handler-registry';

/**
 * ApiVersions (18), v0-3: lists every API the registry serves with its version range.
 * An ApiVersions request at an unsupported version never reaches here: the dispatcher
 * answers it with a v0 body and UNSUPPORTED_VERSION, as Kafka does.
 */
export class ApiVersionsHandler implements ApiHandler<typeof ApiVersionsApi> {
  readonly api = ApiVersionsApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly registry: HandlerRegistry) {}

  handle(_request: ApiVersionsRequestData): ApiVersionsResponseInput {
    return { errorCode: ErrorCode.NONE, apiKeys: this.registry.supportedApis(), throttleTimeMs: 0 };
  }
}
