/** @millrace/bi-rollup-sink: the `bi-rollup-sink` connector plugin (BI tables kept incrementally from change records) and its parts. */
export { BI_ROLLUP_SINK_PLUGIN } from './bi-rollup-sink.plugin';
export { BI_ROLLUP_SINK_PLUGIN as default } from './bi-rollup-sink.plugin';
export { BiRollupSinkTask } from './bi-rollup-sink-task';
export { BiRollupSinkConnector } from './bi-rollup-sink-connector';
export { BI_ROLLUP_CONFIG_DEF, parseBiRollupConfig, BiRollupConfigError, type BiRollupConfig } from './bi-rollup-config';
export { RollupDelta, RollupDataError } from './rollup-delta';
export { parseFilter, FilterSyntaxError } from './filter-expression';
