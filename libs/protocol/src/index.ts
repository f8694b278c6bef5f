export { ProtocolDecodeError, ProtocolEncodeError } from './codec/decode-error';
export { Reader } from './codec/reader';
export { Writer, type WriterOptions } from './codec/writer';
export * from './schema';
export * from './messages';
export * from './errors';
export * from './header';
export { UnsupportedVersionError } from './unsupported-version-error';
export * from './record';
