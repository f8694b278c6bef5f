import type { SinkAcceptanceHarness, SourceAcceptanceHarness } from './acceptance-harness';
import {
  checkPluginMetadata,
  checkRequiredKeysValidated,
  checkSinkPartitionsAssigned,
  checkSinkTeardownIdempotent,
  checkSinkWriteFlush,
  checkSourceReadAckTeardown,
  checkSourceResume,
  checkTaskConfigs,
} from './acceptance-checks';

const DEFAULT_TIMEOUT_MS = 60000;

/**
 * Registers the source connector acceptance tests (jest `describe`/`it`) for a plugin.
 * `setup` runs in `beforeAll` — after the calling file's own `beforeAll` (e.g. starting a
 * database) — and `cleanup` in `afterAll`. Usable from `*.spec.ts` with fakes and from
 * `*.it.spec.ts` with real databases.
 *
 *   describeSourceConnectorAcceptance('jdbc-source', async () => ({ plugin, config, prepare, insertRows, recordId }));
 */
export function describeSourceConnectorAcceptance(name: string, setup: () => SourceAcceptanceHarness | Promise<SourceAcceptanceHarness>): void {
  describeConnectorAcceptance(name, 'source', setup, (get, timeout) => {
    it('reads every row once with JSON source partitions/offsets; ack; idempotent teardown', () => checkSourceReadAckTeardown(get()), timeout());
    it('resumes from the last acked offset without duplicates or gaps', () => checkSourceResume(get()), timeout());
  });
}

/**
 * Registers the sink connector acceptance tests (jest `describe`/`it`) for a plugin;
 * lifecycle as in `describeSourceConnectorAcceptance`.
 */
export function describeSinkConnectorAcceptance(name: string, setup: () => SinkAcceptanceHarness | Promise<SinkAcceptanceHarness>): void {
  describeConnectorAcceptance(name, 'sink', setup, (get, timeout) => {
    it('makes written records durable on flush', () => checkSinkWriteFlush(get()), timeout());
    it('returns partition offsets from partitionsAssigned after a flush', () => checkSinkPartitionsAssigned(get()), timeout());
    it('tears down idempotently', () => checkSinkTeardownIdempotent(get()), timeout());
  });
}

/**
 * The shared part of both suites: the harness lifecycle (setup in beforeAll, cleanup in
 * afterAll) and the plugin-level checks every connector type passes, followed by the
 * type-specific tests `specific` registers.
 */
function describeConnectorAcceptance<H extends SourceAcceptanceHarness | SinkAcceptanceHarness>(
  name: string,
  type: 'source' | 'sink',
  setup: () => H | Promise<H>,
  specific: (get: () => H, timeout: () => number) => void,
): void {
  describe(`${name}: ${type} connector acceptance`, () => {
    let harness: H | undefined;
    const get = (): H => {
      if (harness === undefined) throw new Error('acceptance harness setup failed');
      return harness;
    };
    beforeAll(async () => {
      harness = await setup();
    }, DEFAULT_TIMEOUT_MS);
    afterAll(async () => {
      await harness?.cleanup?.();
    }, DEFAULT_TIMEOUT_MS);
    const timeout = (): number => harness?.testTimeoutMs ?? DEFAULT_TIMEOUT_MS;

    it('declares its metadata and documents every config key', () => checkPluginMetadata(get().plugin, type));
    it('rejects a config missing a required key, naming the key', () => checkRequiredKeysValidated(get()), timeout());
    it('starts and returns 1..maxTasks task configs', async () => void (await checkTaskConfigs(get())), timeout());
    specific(get, timeout);
  });
}
