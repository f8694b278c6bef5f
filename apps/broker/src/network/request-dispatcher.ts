/** What a connection knows about itself, passed with every request. */
export interface ConnectionContext {
  readonly connectionId: number;
  readonly clientHost: string;
  readonly clientPort: number;
}

/**
 * Turns one request frame (without its size prefix) into its response.
 *
 * Contract:
 * - `dispatch` is called synchronously in arrival order for the frames of one
 *   connection, and everything a request must order against earlier requests of the
 *   same connection (e.g. a produce append taking its place in a partition's append
 *   queue) happens before its first `await`.
 * - It resolves to the response frame as one or more buffers (size prefix included), or
 *   to `null` when the request takes no response (Produce with acks=0).
 * - It rejects (or throws) only when the request is malformed or unsupported beyond an
 *   in-protocol error answer; the connection is then closed and nothing else is affected.
 */
export interface RequestDispatcher {
  dispatch(frame: Buffer, context: ConnectionContext): Promise<Buffer[] | null>;
}

export const REQUEST_DISPATCHER = Symbol('REQUEST_DISPATCHER');
