import { useCallback, useEffect, useRef, useState } from 'react';

/** Calls `load` now and every `ms`; answers the latest data, the latest error and a reload. */
export function usePoll<T>(load: () => Promise<T>, ms: number, deps: readonly unknown[] = []): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const loader = useRef(load);
  loader.current = load;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let alive = true;
    const run = (): void => {
      loader.current().then(
        (d) => alive && (setData(d), setError(null)),
        (e: unknown) => alive && setError(e instanceof Error ? e.message : String(e)),
      );
    };
    run();
    const timer = setInterval(run, ms);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [ms, tick, ...deps]);
  return { data, error, reload };
}

/** A rolling series of the last `max` points of `value` (appended when `value` changes identity). */
export function useSeries(value: number | undefined, max = 120): Array<[number, number]> {
  const [series, setSeries] = useState<Array<[number, number]>>([]);
  useEffect(() => {
    if (value === undefined) return;
    setSeries((s) => [...s.slice(-(max - 1)), [Date.now(), value]]);
  }, [value, max]);
  return series;
}
