import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ROOT_LOGGER } from '@millrace/app-common';
import { buildTransformChain, readReconcileConfig, SinkTopics, type ConnectorPlugin } from '@millrace/connect-sdk';
import type { Logger } from 'pino';
import { ClusterMembershipService } from '../distributed/cluster-membership.service';
import { HerderService } from '../herder/herder.service';
import { ConnectRestError } from '../http/connect-rest-error';
import { ConnectMetrics } from '../metrics/connect-metrics';
import { PluginRegistry } from '../plugins/plugin-registry';
import { SecretsService } from '../secrets/secrets.service';
import { StatusStore } from '../storage/status-store';
import { ReconcileMetrics } from './reconcile-metrics';
import { ReconcileRun, type TablePair } from './reconcile-run';

/** How often the schedule (reconcile.interval.ms) is looked at. */
const SCHEDULE_TICK_MS = 5_000;

/**
 * Source ↔ warehouse reconciliation of sink connectors (issue 16): `start(name)` compares
 * every table the sink writes with the source table behind its topic (reconcile-run.ts);
 * `report(name)` is the last run of that sink on this worker.
 *
 * Pairs: the sink's topics are its `topics` list and, for `topics.regex`, the active
 * topics it consumed (KIP-558); for each, the sink plugin's `reconcileTarget` names the
 * target table of the topic as the sink's topic routers (RegexRouter) rename it, and the first connector whose plugin's `reconcileSource` claims the topic
 * names the source table. Configs are resolved (config providers) only here, never shown.
 * Chunk jobs run on BullMQ when the worker has REDIS_URL (as the CDC snapshots), else in-process.
 * With `reconcile.repair=true` the drifted chunks are re-read through the source
 * connector's signals (reconcile-run.ts).
 * Schedule: a sink with `reconcile.interval.ms` > 0 is reconciled that often, by the
 * leader of a connect cluster (or the only worker); runs of one sink never overlap.
 */
@Injectable()
export class ReconcileService implements OnModuleInit, OnApplicationShutdown {
  private readonly runs = new Map<string, ReconcileRun>();
  /** When the schedule last tried each sink (a refused start waits a whole interval too). */
  private readonly scheduled = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly logger: Logger;

  constructor(
    private readonly herder: HerderService,
    private readonly plugins: PluginRegistry,
    private readonly secrets: SecretsService,
    private readonly statusStore: StatusStore,
    private readonly membership: ClusterMembershipService,
    metrics: ConnectMetrics,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.logger = root.child({ component: 'reconcile' });
    new ReconcileMetrics(metrics.registry, () => [...this.runs.values()].map((r) => r.report));
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.tick(), SCHEDULE_TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  report(name: string): ReconcileRun['report'] {
    this.herder.info(name);
    const run = this.runs.get(name);
    if (!run) throw ConnectRestError.notFound(`Connector ${name} has not been reconciled on this worker yet (POST /connectors/${name}/reconcile)`);
    return run.report;
  }

  /** Starts a run (409 while one runs; 400 for a connector that cannot be reconciled). */
  start(name: string): ReconcileRun['report'] {
    const info = this.herder.info(name);
    const plugin = this.plugins.find(info.config['connector.class'] ?? '');
    if (!plugin?.reconcileTarget || plugin.type !== 'sink') {
      throw ConnectRestError.badRequest(`Connector ${name} is not a table sink (${info.config['connector.class'] ?? 'no connector.class'}): only sinks that write database tables (jdbc-sink) can be reconciled`);
    }
    if (this.runs.get(name)?.running) throw ConnectRestError.conflict(`Connector ${name} is being reconciled already`);
    const config = this.secrets.resolve(info.config, plugin);
    const settings = readReconcileConfig(config);
    const pairs = this.pairs(name, plugin, config);
    if (pairs.length === 0) throw ConnectRestError.badRequest(`Connector ${name} has written no table yet: nothing to reconcile`);
    const run = new ReconcileRun(name, pairs, { chunkRows: settings.chunkRows, maxThreads: settings.maxThreads, repair: settings.repair, redisUrl: process.env.REDIS_URL || null });
    this.runs.set(name, run);
    void run.done.then(() => {
      const r = run.report;
      this.logger.info({ connector: name, state: r.state, driftedChunks: r.drifted_chunks, tables: r.tables.length }, `reconciliation of ${name} ${r.state.toLowerCase()}: ${r.drifted_chunks} drifted chunk(s) in ${r.tables.length} table(s)`);
    });
    return run.report;
  }

  private pairs(name: string, sink: ConnectorPlugin, config: Readonly<Record<string, string>>): TablePair[] {
    const consumed = SinkTopics.fromConfig(config);
    const topics = [...new Set([...consumed.topics, ...this.statusStore.activeTopics(name).filter((t) => consumed.matches(t))])].sort();
    const sources = this.herder
      .connectorNames()
      .filter((n) => n !== name)
      .map((n) => {
        const c = this.herder.info(n).config;
        return { name: n, plugin: this.plugins.find(c['connector.class'] ?? ''), config: c };
      })
      .filter((s) => s.plugin?.reconcileSource !== undefined);
    const chain = buildTransformChain(config);
    const out: TablePair[] = [];
    for (const topic of topics) {
      const target = sink.reconcileTarget?.targetTable(config, chain.routedTopic(topic)) ?? null;
      if (target === null) continue;
      let pair: TablePair = { topic, source: null, target };
      for (const s of sources) {
        try {
          const resolved = this.secrets.resolve(s.config, s.plugin);
          const source = s.plugin?.reconcileSource?.sourceTable(resolved, topic) ?? null;
          if (source === null) continue;
          const send = s.plugin?.sendSignal?.bind(s.plugin);
          const signal = send
            ? async (type: string, data: Record<string, unknown>) => {
                const id = `reconcile-${randomUUID()}`;
                await send(resolved, { id, type, data: JSON.stringify(data) });
                return id;
              }
            : undefined;
          pair = { topic, source, target, signal, sourceConnector: s.name };
          break;
        } catch {
          // an invalid or unresolvable source config claims nothing
        }
      }
      out.push(pair);
    }
    chain.close();
    return out;
  }

  private tick(): void {
    if (this.membership.leaderUrl !== null && !this.membership.isLeader) return;
    for (const name of this.herder.connectorNames()) {
      try {
        const info = this.herder.info(name);
        const plugin = this.plugins.find(info.config['connector.class'] ?? '');
        if (!plugin?.reconcileTarget) continue;
        const { intervalMs } = readReconcileConfig(info.config);
        const last = this.runs.get(name);
        if (intervalMs <= 0 || last?.running || Date.now() - (this.scheduled.get(name) ?? 0) < intervalMs) continue;
        this.scheduled.set(name, Date.now());
        this.start(name);
      } catch (err) {
        this.logger.warn({ connector: name }, `scheduled reconciliation of ${name} not started: ${(err as Error).message}`);
      }
    }
  }
}
