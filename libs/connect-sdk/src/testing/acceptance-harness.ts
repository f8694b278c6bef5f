import type { ConnectorPlugin } from '../connector/connector';
import type { SinkRecord, SourceRecord, TopicPartition } from '../record/connect-record';
import type { PluginConfigParser, PluginConfigValidator } from './plugin-config-check';

/** What every acceptance harness provides. */
export interface PluginAcceptanceHarness {
  readonly plugin: ConnectorPlugin;
  /** A complete, valid connector config (the keys a user would POST). */
  readonly config: Readonly<Record<string, string>>;
  /** `maxTasks` for the taskConfigs check (default 3). */
  readonly maxTasks?: number;
  /** Validation used for the missing-required-key check (default `checkPluginConfig`). */
  readonly validate?: PluginConfigValidator;
  /** Parser giving `Connector.start` its parsed values (default `parsePluginConfig`). */
  readonly parse?: PluginConfigParser;
  /** Per-test timeout in ms (default 60000). */
  readonly testTimeoutMs?: number;
  /** Called once after the suite (close pools, drop schemas). */
  cleanup?(): Promise<void>;
}

/**
 * A source connector under test and its data source. `prepare` empties the source;
 * `insertRows(n)` adds n new rows/events and returns their identities in insertion order;
 * `recordId` gives the identity of a record the task produced (the same strings).
 */
export interface SourceAcceptanceHarness extends PluginAcceptanceHarness {
  prepare(): Promise<void>;
  insertRows(n: number): Promise<string[]>;
  recordId(record: SourceRecord): string;
  /** Longest wait for expected records, in ms (default 15000). */
  readonly readTimeoutMs?: number;
}

/**
 * A sink connector under test and its destination. `prepare` empties the destination;
 * `makeRecords` builds `count` records for `tp` at consecutive offsets from `fromOffset`;
 * `storedIds` reads, through a separate connection, the identities durably stored;
 * `recordId` gives a record's identity (the same strings).
 */
export interface SinkAcceptanceHarness extends PluginAcceptanceHarness {
  /** The partition the checks write (its topic must be one the config consumes). */
  readonly topicPartition: TopicPartition;
  /**
   * True when the sink stores consumed offsets in the destination (exactly-once): then
   * `partitionsAssigned` must return the next offset to read after a flush.
   */
  readonly exactlyOnce?: boolean;
  prepare(): Promise<void>;
  makeRecords(tp: TopicPartition, fromOffset: number, count: number): SinkRecord[];
  storedIds(): Promise<string[]>;
  recordId(record: SinkRecord): string;
}
