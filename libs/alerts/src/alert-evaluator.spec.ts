import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { AlertEvaluator, render } from './alert-evaluator';
import { ALERT_RULES, LAG_ALERT_MIN, rulesFor, SLOT_LAG_ALERT_BYTES } from './alert-rules';

describe('AlertEvaluator', () => {
  let server: http.Server;
  let url: string;
  const received: Array<{ status: string; alerts: Array<{ status: string; labels: Record<string, string>; annotations: { summary: string }; endsAt: string }> }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (received.length = 0));

  const logger = { info: () => undefined, warn: () => undefined };

  it('a failed task: pending, firing after `for`, resolved; each change posted in Alertmanager format', async () => {
    const registry = new Registry();
    const state = new Gauge({ name: 'millrace_connect_task_state', help: 'h', labelNames: ['connector', 'task', 'state'], registers: [registry] });
    let now = 1_000_000;
    const ev = new AlertEvaluator({ app: 'connect', rules: rulesFor('connect'), registries: [registry], intervalMs: 1000, webhookUrl: url, forMs: 5000, logger, now: () => now });
    state.set({ connector: 'erp', task: '0', state: 'FAILED' }, 1);
    await ev.tick();
    expect(ev.active()).toEqual([expect.objectContaining({ name: 'MillraceConnectorTaskFailed', state: 'pending', labels: expect.objectContaining({ connector: 'erp', task: '0', severity: 'critical' }) })]);
    expect(received).toEqual([]);
    now += 5000;
    await ev.tick();
    expect(ev.active()[0].state).toBe('firing');
    expect(received).toEqual([expect.objectContaining({ status: 'firing', alerts: [expect.objectContaining({ status: 'firing', annotations: expect.objectContaining({ summary: 'Task erp-0 failed' }), endsAt: '0001-01-01T00:00:00Z' })] })]);
    state.set({ connector: 'erp', task: '0', state: 'FAILED' }, 0);
    now += 1000;
    await ev.tick();
    expect(ev.active()).toEqual([]);
    expect(received[1]).toMatchObject({ status: 'resolved', alerts: [{ status: 'resolved', labels: { alertname: 'MillraceConnectorTaskFailed', app: 'connect' } }] });
  });

  it('consumer lag alerts only when above the floor and growing over the window', async () => {
    const registry = new Registry();
    const lag = new Gauge({ name: 'millrace_group_lag', help: 'h', labelNames: ['group', 'topic', 'partition'], registers: [registry] });
    let now = 0;
    const ev = new AlertEvaluator({ app: 'broker', rules: rulesFor('broker'), registries: [registry], intervalMs: 1000, webhookUrl: null, forMs: 0, logger, now: () => now });
    const names = (): string[] => ev.active().map((a) => `${a.name}:${a.labels.group}`);
    lag.set({ group: 'g', topic: 't', partition: '0' }, LAG_ALERT_MIN + 500);
    lag.set({ group: 'steady', topic: 't', partition: '0' }, LAG_ALERT_MIN * 5);
    await ev.tick(); // no history for the window yet
    expect(names()).toEqual([]);
    now += 600_000;
    lag.set({ group: 'g', topic: 't', partition: '1' }, 10); // grew (summed over partitions)
    await ev.tick();
    expect(names()).toEqual(['MillraceConsumerLagGrowing:g']);
    now += 600_000;
    await ev.tick(); // no longer growing
    expect(names()).toEqual([]);
  });

  it('dead-letter records alert while the counter moves; a counter that does not move does not', async () => {
    const registry = new Registry();
    const dlq = new Counter({ name: 'millrace_connect_dead_letter_records_total', help: 'h', labelNames: ['connector', 'task'], registers: [registry] });
    let now = 0;
    const ev = new AlertEvaluator({ app: 'connect', rules: rulesFor('connect'), registries: [registry], intervalMs: 1000, webhookUrl: null, forMs: 0, logger, now: () => now });
    dlq.inc({ connector: 'sink', task: '0' }, 3);
    await ev.tick();
    expect(ev.active().map((a) => a.name)).toEqual(['MillraceDeadLetterRecords']);
    now += 400_000;
    await ev.tick();
    now += 400_000;
    await ev.tick();
    expect(ev.active()).toEqual([]);
  });

  it('CDC slots: lag above the limit warns per slot; wal_status unreserved or lost is critical', async () => {
    const registry = new Registry();
    const lag = new Gauge({ name: 'millrace_cdc_slot_lag_bytes', help: 'h', labelNames: ['connector', 'task', 'slot'], registers: [registry] });
    const status = new Gauge({ name: 'millrace_cdc_slot_wal_status', help: 'h', labelNames: ['connector', 'task', 'slot', 'status'], registers: [registry] });
    const ev = new AlertEvaluator({ app: 'connect', rules: rulesFor('connect'), registries: [registry], intervalMs: 1000, webhookUrl: null, forMs: 0, logger, now: () => 0 });
    lag.set({ connector: 'erp', task: '0', slot: 'erp_slot' }, SLOT_LAG_ALERT_BYTES + 1);
    lag.set({ connector: 'quiet', task: '0', slot: 'quiet_slot' }, 4096);
    status.set({ connector: 'erp', task: '0', slot: 'erp_slot', status: 'reserved' }, 0);
    status.set({ connector: 'erp', task: '0', slot: 'erp_slot', status: 'unreserved' }, 1);
    status.set({ connector: 'quiet', task: '0', slot: 'quiet_slot', status: 'reserved' }, 1);
    status.set({ connector: 'quiet', task: '0', slot: 'quiet_slot', status: 'lost' }, 0);
    await ev.tick();
    expect(ev.active().map((a) => `${a.name}:${a.labels.slot}:${a.labels.severity}`).sort()).toEqual(['MillraceCdcSlotLagHigh:erp_slot:warning', 'MillraceCdcSlotLosingWal:erp_slot:critical']);
  });

  it('every rule has a unique name and a template over labels it can fill', () => {
    expect(new Set(ALERT_RULES.map((r) => r.name)).size).toBe(ALERT_RULES.length);
    expect(render('Task {{ $labels.connector }}-{{$labels.task}} failed', { connector: 'a', task: '1' })).toBe('Task a-1 failed');
  });
});
