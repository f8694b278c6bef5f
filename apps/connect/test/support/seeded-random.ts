/** Moved to @millrace/testing so libraries' tests share it; kept here for the connect tests' imports. */
export { prng, seedFrom } from '@millrace/testing';
