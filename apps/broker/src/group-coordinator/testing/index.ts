/**
 * Test support for the group coordinator specs: a manual clock, an in-memory GroupLog
 * and consumer-protocol fixtures. Production code never imports this folder.
 */
export { ManualClock, flushPromises } from './manual-clock';
export { FakeGroupLog, encodeAssignment, encodeSubscription, track } from './group-coordinator.test-helpers';
