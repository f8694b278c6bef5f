export * from './record-builders';
export * from './test-contexts';
export * from './plugin-config-check';
export * from './acceptance-harness';
export * from './acceptance-checks';
export * from './connector-acceptance';
export * from './in-memory-source-plugin';
export * from './in-memory-sink-plugin';
