import { useEffect, useRef } from 'react';
import * as echarts from 'echarts';

/**
 * A time-series line chart (ECharts, bundled). `series` maps a name to [time ms, value]
 * points. The last value of each series is also written in the legend below, as text a
 * reader (or a test) can check against the API.
 */
export function LineChart({ series, unit, testId }: { series: Record<string, Array<[number, number]>>; unit: string; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    chart.current = echarts.init(el.current, undefined, { renderer: 'svg' });
    const onResize = (): void => chart.current?.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 60, right: 20, top: 20, bottom: 30 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'time' },
        yAxis: { type: 'value', name: unit },
        series: Object.entries(series).map(([name, data]) => ({ name, type: 'line', showSymbol: data.length < 3, data })),
      },
      { replaceMerge: ['series'] },
    );
  }, [series, unit]);
  return (
    <div className="chart" data-testid={testId}>
      <div ref={el} style={{ height: 220 }} />
      <ul className="legend">
        {Object.entries(series).map(([name, data]) => (
          <li key={name}>
            {name}: <b data-testid={testId ? `${testId}-last-${name}` : undefined}>{data.length > 0 ? formatNumber(data[data.length - 1][1]) : '-'}</b> {unit}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
