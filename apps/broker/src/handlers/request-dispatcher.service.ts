import {
  ApiVersionsApi,
  decodeRequest,
  encodeApiVersionsUnsupportedResponse,
  encodeResponseChunks,
  peekRequestHeader,
  type ApiDefinition,
  type RequestOf,
} from '@millrace/protocol';
import type { ConnectionContext, RequestDispatcher } from '../network/request-dispatcher';
import type { ApiHandler, RequestContext } from './api-handler';
import type { HandlerRegistry } from './handler-registry';

/** Observes every handled request (metrics). */
export interface RequestObserver {
  onRequest(apiName: string, apiVersion: number, seconds: number): void;
}

/**
 * Decodes a request frame, runs its handler and encodes the answer (size prefix
 * included; large record buffers passed by reference).
 *
 * - ApiVersions at a version we do not serve: a v0 body with UNSUPPORTED_VERSION (as Kafka).
 * - Any other unknown API key or unsupported version, or a body that does not decode:
 *   the promise rejects and the connection closes (as Kafka does).
 * Decoding and the handler's synchronous part run before this function returns, which
 * is what keeps per-connection ordering for appends (see RequestDispatcher).
 */
export class ApiRequestDispatcher implements RequestDispatcher {
  constructor(
    private readonly registry: HandlerRegistry,
    private readonly observer: RequestObserver | null = null,
  ) {}

  dispatch(frame: Buffer, connection: ConnectionContext): Promise<Buffer[] | null> {
    const peek = peekRequestHeader(frame);
    const { apiKey, apiVersion, correlationId } = peek;
    if (apiKey === ApiVersionsApi.apiKey && !this.registry.supports(apiKey, apiVersion)) {
      return Promise.resolve([encodeApiVersionsUnsupportedResponse(correlationId, this.registry.supportedApis())]);
    }
    const handler = this.registry.get(apiKey);
    if (!handler) return Promise.reject(new Error(`unsupported API key ${apiKey}`));
    if (!this.registry.supports(apiKey, apiVersion)) {
      return Promise.reject(new Error(`unsupported version ${apiVersion} of ${handler.api.name} (serving ${handler.minVersion}-${handler.maxVersion})`));
    }
    const request = decodeRequest(frame);
    const context: RequestContext = {
      connectionId: connection.connectionId,
      clientHost: connection.clientHost,
      clientPort: connection.clientPort,
      apiVersion,
      correlationId,
      clientId: request.header.clientId,
    };
    const started = this.observer === null ? 0 : performance.now();
    const result = (handler as ApiHandler<ApiDefinition>).handle(request.body as RequestOf<ApiDefinition>, context);
    const respond = (body: unknown): Buffer[] | null => {
      if (this.observer !== null) this.observer.onRequest(handler.api.name, apiVersion, (performance.now() - started) / 1000);
      if (body === null) return null;
      return encodeResponseChunks(apiKey, apiVersion, correlationId, body as never);
    };
    if (result instanceof Promise) return result.then(respond);
    try {
      return Promise.resolve(respond(result));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
