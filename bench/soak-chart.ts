import * as fs from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

/**
 * The soak's chart (bench/results/soak-latest.png): five panels over the run's time axis,
 * one per sampled series — broker RSS (MiB), open file descriptors, event-loop lag max
 * (ms, since the previous sample), consumer-group lag (records) and connect ERP ->
 * warehouse lag (ms; the panel says "not run" without the pipeline) — each with its
 * flatness limit where soak.ts has a fixed one (loop lag 1 s, connect lag 30 s).
 *
 * Drawn without a browser: Apache ECharts renders SVG server-side (`ssr: true`), resvg
 * (@resvg/resvg-js) rasterizes it to PNG with the system fonts.
 */
export interface ChartSample {
  /** Seconds since the soak started. */
  t: number;
  rssMiB: number;
  fds: number;
  loopLagMaxMs: number;
  groupLag: number;
  /** -1 when the connect pipeline did not run. */
  connectLagMs: number;
}

interface Panel {
  title: string;
  values: (s: ChartSample) => number;
  limit?: number;
}

const PANELS: Panel[] = [
  { title: 'broker RSS (MiB)', values: (s) => s.rssMiB },
  { title: 'open file descriptors', values: (s) => s.fds },
  { title: 'event-loop lag max (ms)', values: (s) => s.loopLagMaxMs, limit: 1000 },
  { title: 'consumer group lag (records)', values: (s) => s.groupLag },
  { title: 'connect ERP -> warehouse lag (ms)', values: (s) => s.connectLagMs, limit: 30_000 },
];

/** Renders `samples` as a PNG of `width` x `height` pixels (default 1000 x 1100). */
export function renderSoakChart(samples: readonly ChartSample[], title: string, width = 1000, height = 1100): Buffer {
  const top = 50;
  const panelHeight = (height - top - 30) / PANELS.length;
  const withConnect = samples.some((s) => s.connectLagMs >= 0);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      title: [
        { text: title, left: 'center', top: 8, textStyle: { fontSize: 15 } },
        ...PANELS.map((p, i) => ({
          text: p.title + (i === 4 && !withConnect ? ' — not run' : ''),
          left: 70,
          top: top + i * panelHeight,
          textStyle: { fontSize: 12, fontWeight: 'normal' as const },
        })),
      ],
      grid: PANELS.map((_, i) => ({ left: 70, right: 50, top: top + i * panelHeight + 22, height: panelHeight - 50 })),
      xAxis: PANELS.map((_, i) => ({ type: 'value' as const, gridIndex: i, min: 0, max: 'dataMax', name: i === PANELS.length - 1 ? 't (s)' : '', axisLabel: { fontSize: 10 } })),
      // Every y axis starts at 0, so a flat series looks flat.
      yAxis: PANELS.map((_, i) => ({ type: 'value' as const, gridIndex: i, min: 0, axisLabel: { fontSize: 10 } })),
      series: PANELS.map((p, i) => ({
        type: 'line' as const,
        xAxisIndex: i,
        yAxisIndex: i,
        showSymbol: samples.length < 60,
        data: samples.filter((s) => i !== 4 || s.connectLagMs >= 0).map((s) => [s.t, p.values(s)]),
        lineStyle: { width: 1.5 },
        markLine: p.limit === undefined ? undefined : { silent: true, symbol: 'none', label: { formatter: 'limit', fontSize: 10 }, lineStyle: { color: '#c23531', type: 'dashed' as const }, data: [{ yAxis: p.limit }] },
      })),
    });
    const svg = chart.renderToSVGString();
    return new Resvg(svg, { background: '#ffffff', fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: true } }).render().asPng();
  } finally {
    chart.dispose();
  }
}

/** `node dist/bench/soak-chart.js [soak-latest.json] [out.png]`: charts a soak's saved samples. */
if (require.main === module) {
  const [input = 'bench/results/soak-latest.json', output = input.replace(/\.json$/, '') + '.png'] = process.argv.slice(2);
  const saved = JSON.parse(fs.readFileSync(input, 'utf8')) as { samples: ChartSample[]; rate?: number; config?: { minutes?: number }; verdicts?: string[] };
  const title = `soak ${saved.config?.minutes ?? '?'} min at ${saved.rate ?? '?'} records/s: ${(saved.verdicts ?? []).length === 0 ? 'FLAT' : 'NOT FLAT'}`;
  fs.writeFileSync(output, renderSoakChart(saved.samples, title));
  process.stdout.write(`${output}\n`);
}
