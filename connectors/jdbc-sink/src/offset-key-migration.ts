import type { SinkTopics } from '@millrace/connect-sdk';

/**
 * What to do with a connector's `millrace_sink_offsets` rows of key version 1.
 *
 * Version 1 rows (written before the table had `key_version`) are keyed by the topic and
 * partition *after* the transforms, so one row may stand for several consumed
 * topic-partitions (a RegexRouter sending two topics to one table). Version 2 rows are
 * keyed by the consumed topic-partition. A version 1 row is the same thing as a version 2
 * row exactly when no transform changed the topic, so:
 * - no version 1 rows: nothing to do;
 * - every version 1 row names a consumed topic and no topic-renaming transform (a
 *   RegexRouter or TimestampRouter, by `transforms.<alias>.type`) is configured: the rows
 *   are adopted as version 2 (their meaning is unchanged);
 * - otherwise: refused with a message naming the rows and the SQL that resolves it, since
 *   reading them either way could skip records that were never written.
 */
export interface LegacyOffsetRow {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
}

export type OffsetKeyMigrationPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'adopt'; readonly topics: readonly string[] }
  | { readonly kind: 'refuse'; readonly message: string };

/** Raised when version 1 rows cannot be read safely; the task fails with this message. */
export class OffsetKeyMigrationError extends Error {
  override readonly name = 'OffsetKeyMigrationError';
}

export function planOffsetKeyMigration(connector: string, rows: readonly LegacyOffsetRow[], consumed: SinkTopics, renamingTransforms: readonly string[]): OffsetKeyMigrationPlan {
  if (rows.length === 0) return { kind: 'none' };
  const topics = [...new Set(rows.map((r) => r.topic))].sort();
  const foreign = topics.filter((t) => !consumed.matches(t));
  if (foreign.length === 0 && renamingTransforms.length === 0) return { kind: 'adopt', topics };
  const why =
    foreign.length > 0
      ? `topic(s) ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not consumed by the connector (${consumed.describe()})`
      : `transform(s) ${renamingTransforms.join(', ')} may have renamed other consumed topics to ${topics.join(', ')}`;
  const name = connector.replace(/'/g, "''");
  return {
    kind: 'refuse',
    message:
      `jdbc-sink: millrace_sink_offsets holds offsets of connector '${connector}' in the old format (key_version 1, keyed by the topic after the transforms) ` +
      `for ${rows.map((r) => `${r.topic}-${r.partition}@${r.nextOffset}`).join(', ')}; ${why}, so they cannot be mapped to the consumed topic-partitions. ` +
      `To resume from the offsets the connector committed to Kafka (consumer group connect-${connector}; records written after its last commit there may be written twice), run ` +
      `DELETE FROM millrace_sink_offsets WHERE connector_name = '${name}' AND key_version = 1; ` +
      `or, to keep exactly-once, replace them by one row per consumed topic-partition with key_version = 2 and next_offset = the first offset not yet in the table. Then restart the task.`,
  };
}

/** Aliases (with their types) of the configured transforms that can change a record's topic. */
export function topicRenamingTransforms(config: Readonly<Record<string, string | undefined>>): string[] {
  const aliases = (config.transforms ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  return aliases.flatMap((alias) => {
    const type = (config[`transforms.${alias}.type`] ?? '').trim();
    return /Router$/.test(type) ? [`${alias} (${type})`] : [];
  });
}
