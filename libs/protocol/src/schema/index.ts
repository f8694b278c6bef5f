export * from './versions';
export * from './fields';
export * from './defaults';
export * from './codec';
export * from './api';
