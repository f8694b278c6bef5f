import { errorMessage, WakeableSleep } from '@millrace/app-common';
import type { SinkTopics } from '@millrace/connect-sdk';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

/** How often topics are checked while some are missing (see SinkTopicWatcher). */
const MISSING_RECHECK_MS = 500;

/** Which of a sink's topics exist now (see SinkTopics.resolve). */
export interface SinkTopicState {
  /** Consumed topics that exist, sorted. */
  readonly present: readonly string[];
  /** Topics named in `topics` that do not exist. */
  readonly missing: readonly string[];
}

export interface SinkTopicWatcherOptions {
  readonly kafka: Kafka;
  readonly topics: SinkTopics;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Called with the first state and then whenever it changes; awaited before the next check. */
  readonly onChange: (state: SinkTopicState) => Promise<void>;
}

/**
 * Periodically lists the cluster's topics (one Metadata request every `intervalMs`
 * through one admin client) and tells the sink task runner which of its topics exist:
 * kafkajs resolves a subscription only when it subscribes, so missing topics and topics
 * created later that match `topics.regex` are found here.
 *
 * While a named topic is missing or nothing matches, checks run every
 * min(`intervalMs`, 500 ms) instead, so a sink started before its source produced picks
 * the topic up within half a second (one Metadata request each: cheap).
 *
 * Contracts: the first check runs at once; `onChange` is never called twice at a time
 * and only with a state different from the last one; each check that finds topics
 * missing (or nothing matching) logs "waiting for the sink topics" at debug; a failed listing (broker
 * unreachable) is logged and retried at the next interval; an `onChange` failure ends
 * `run` with that error. `stop` ends `run` within the check in flight and disconnects
 * the admin client.
 */
export class SinkTopicWatcher {
  private admin: Admin | undefined;
  private stopped = false;
  private readonly sleeper = new WakeableSleep();
  private last = '';

  constructor(private readonly opts: SinkTopicWatcherOptions) {}

  async run(): Promise<void> {
    try {
      while (!this.stopped) {
        const state = await this.check();
        if (state && (state.missing.length > 0 || state.present.length === 0)) {
          this.opts.logger.debug({ missing: state.missing, present: state.present }, 'waiting for the sink topics');
        }
        if (state && !this.stopped) {
          const signature = JSON.stringify(state);
          if (signature !== this.last) {
            await this.opts.onChange(state);
            this.last = signature;
          }
        }
        const waiting = state !== undefined && (state.missing.length > 0 || state.present.length === 0);
        if (!this.stopped) await this.sleeper.sleep(waiting ? Math.min(this.opts.intervalMs, MISSING_RECHECK_MS) : this.opts.intervalMs);
      }
    } finally {
      await this.disconnect();
    }
  }

  stop(): void {
    this.stopped = true;
    this.sleeper.close();
  }

  private async check(): Promise<SinkTopicState | undefined> {
    try {
      if (!this.admin) {
        const admin = this.opts.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      return this.opts.topics.resolve(await this.admin.listTopics());
    } catch (err) {
      this.opts.logger.warn({ err: errorMessage(err), retryInMs: this.opts.intervalMs }, 'listing the sink topics failed');
      await this.disconnect();
      return undefined;
    }
  }

  private async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}

/** The status trace for missing topics (see SinkTaskRunner's contract), or null when none are missing. */
export function missingTopicsNote(topics: SinkTopics, state: SinkTopicState): string | null {
  if (state.missing.length > 0) {
    const others = state.present.length > 0 ? `consuming ${state.present.join(', ')}` : 'nothing to consume yet';
    return `Missing topics: ${state.missing.join(', ')} (not found in the cluster; ${others}; each missing topic is picked up once it exists)`;
  }
  if (state.present.length === 0) return `No topic matches ${topics.describe()} yet; matching topics are picked up once they exist`;
  return null;
}

export function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
