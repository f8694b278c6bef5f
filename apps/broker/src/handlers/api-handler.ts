import type { ApiDefinition, RequestOf, ResponseInputOf } from '@millrace/protocol';
import type { ConnectionContext } from '../network/request-dispatcher';

/** Everything a handler knows about the request besides its body. */
export interface RequestContext extends ConnectionContext {
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/**
 * One Kafka API served by the broker. Each handler lives in its own file named
 * `<apiKey>-<api>.handler.ts`, declares the version range it serves (which ApiVersions
 * advertises), and maps a decoded request to a response body.
 *
 * Contract: every version in [minVersion, maxVersion] must really work, since kafkajs
 * sends min(its max, our max) whatever our minimum. Returning null sends no response
 * (only Produce with acks=0 does so). Errors a client can act on are answered as error
 * codes in the response; throwing closes the connection.
 */
export interface ApiHandler<A extends ApiDefinition = ApiDefinition> {
  readonly api: A;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: RequestOf<A>, context: RequestContext): Promise<ResponseInputOf<A> | null> | ResponseInputOf<A> | null;
}

/** Nest token for the list of every ApiHandler (a multi-provider built by HandlersModule). */
export const API_HANDLERS = Symbol('API_HANDLERS');
