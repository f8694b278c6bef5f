import { SinkTopics, type SinkRecord } from '@millrace/connect-sdk';
import { changeImages } from './change-images';
import { RollupDelta } from './rollup-delta';
import type { RollupDefinition } from './rollup-definition';

/**
 * Folds a batch of change records into one delta per rollup: for each record, the
 * rollups fed by its topic (after transforms; rollup.<name>.topics, or all) get
 * `-f(before) + f(after)`. Records are folded in order, but the result does not depend
 * on it (the algebra is additive).
 */
export function foldRecords(rollups: readonly RollupDefinition[], records: readonly SinkRecord[]): RollupDelta[] {
  const deltas = rollups.map((r) => ({ delta: new RollupDelta(r), topics: r.topics.length === 0 ? null : new SinkTopics(r.topics, '') }));
  const byTopic = new Map<string, RollupDelta[]>();
  for (const record of records) {
    let targets = byTopic.get(record.topic);
    if (!targets) {
      targets = deltas.filter((d) => d.topics === null || d.topics.matches(record.topic)).map((d) => d.delta);
      byTopic.set(record.topic, targets);
    }
    if (targets.length === 0) continue;
    const { before, after, rowSchema } = changeImages(record);
    for (const delta of targets) {
      if (before) delta.add(before, rowSchema, -1);
      if (after) delta.add(after, rowSchema, 1);
    }
  }
  return deltas.map((d) => d.delta);
}
