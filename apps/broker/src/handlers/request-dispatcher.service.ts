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
    if (peek.apiKey === ApiVersionsApi.apiKey && !this.registry.supports(peek.apiKey, peek.apiVersion)) {
      return Promise.resolve([encodeApiVersionsUnsupportedResponse(peek.correlationId, this.registry.supportedApis())]);
    }
    const handler = this.registry.get(peek.apiKey);
    if (!handler) return Promise.reject(new Error(`unsupported API key ${peek.apiKey}`));
    if (!this.registry.supports(peek.apiKey, peek.apiVersion)) {
      return Promise.reject(new Error(`unsupported version ${peek.apiVersion} of ${handler.api.name} (serving ${handler.minVersion}-${handler.maxVersion})`));
    }
    const request = decodeRequest(frame);
    const context: RequestContext = { ...connection, apiVersion: peek.apiVersion, correlationId: peek.correlationId, clientId: request.header.clientId };
    const started = process.hrtime.bigint();
    const result = (handler as ApiHandler<ApiDefinition>).handle(request.body as RequestOf<ApiDefinition>, context);
    return Promise.resolve(result).then((body) => {
      if (this.observer) this.observer.onRequest(handler.api.name, peek.apiVersion, Number(process.hrtime.bigint() - started) / 1e9);
      if (body === null) return null;
      return encodeResponseChunks(peek.apiKey, peek.apiVersion, peek.correlationId, body as never);
    });
  }
}
