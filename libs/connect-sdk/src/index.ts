export * from './record/connect-schema';
export * from './record/connect-record';
export * from './config/config-def';
export * from './connector/connector';
