/** @millrace/schema-serde/testing — test doubles for code that talks to a schema registry (tests only). */
export { FakeSchemaRegistry } from './fake-schema-registry';
