import type { ReaderLogger } from '../partition-reader';

/** The group consumer's logger: `warn` always; `debug` (optional) gets every per-partition decision. */
export interface GroupConsumerLogger extends ReaderLogger {
  debug?(message: string): void;
}

/** Deliveries of one partition from the same offset that the handler did not resolve, in a row, before the consumer warns. */
export const UNRESOLVED_WARN_AFTER = 50;

/**
 * The per-partition decisions of a GroupConsumer (start positions, seeks, fetch errors,
 * deliveries, pauses), so a partition that stops moving names itself.
 *
 * Contracts: `debug` lines go to the logger's `debug` (nothing when it has none) and
 * are only built when it has one. `unresolved` counts deliveries of a partition from
 * one offset that the handler left unresolved (the consumer fetches that offset again);
 * the UNRESOLVED_WARN_AFTER-th in a row, and every UNRESOLVED_WARN_AFTER-th after it,
 * is a warning naming the partition and offset (a handler that never resolves a
 * partition would otherwise refetch it forever in silence). `moved` ends the count.
 */
export class PartitionTrace {
  private readonly unresolvedAt = new Map<string, { offset: number; times: number }>();

  constructor(
    private readonly groupId: string,
    private readonly logger: GroupConsumerLogger | undefined,
  ) {}

  get enabled(): boolean {
    return this.logger?.debug !== undefined;
  }

  /** Logs `message()` at debug level (built only when debug logging is on). */
  debug(message: () => string): void {
    if (this.logger?.debug) this.logger.debug(`group ${this.groupId}: ${message()}`);
  }

  /** A delivered batch of `key` starting at `offset` was not resolved. */
  unresolved(key: string, offset: number, why: string): void {
    const last = this.unresolvedAt.get(key);
    const times = last && last.offset === offset ? last.times + 1 : 1;
    this.unresolvedAt.set(key, { offset, times });
    this.debug(() => `${key}: batch from ${offset} not resolved (${why}); fetched again from ${offset}`);
    if (times % UNRESOLVED_WARN_AFTER === 0) {
      this.logger?.warn(`group ${this.groupId}: ${key} was delivered from offset ${offset} ${times} times in a row without being resolved (${why}); the partition is not moving`);
    }
  }

  /** `key`'s position moved (or it was sought, or reassigned): the unresolved count starts over. */
  moved(key: string): void {
    this.unresolvedAt.delete(key);
  }

  /** A new assignment: every count starts over. */
  reset(): void {
    this.unresolvedAt.clear();
  }
}
