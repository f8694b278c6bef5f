import { judge, starvedLagNotes, type Sample } from './soak-judge';

/** The soak's flatness check on event-loop lag, with the CPU-starvation rule. */
describe('soak judge: event-loop lag', () => {
  const rate = 1000;
  const flat = (t: number): Sample => ({ t, rssMiB: 150, fds: 250, loopLagMaxMs: 30, groupLag: 500, acked: 0, consumed: 0, connectLagMs: 200, cpuWaitMs: 500, intervalMs: 10_000 });
  const run = (spike: Partial<Sample>): Sample[] => Array.from({ length: 30 }, (_, i) => (i === 20 ? { ...flat(i * 10), ...spike } : flat(i * 10)));

  it('a 1.2 s lag sample fails the run when the broker had CPU', () => {
    const samples = run({ loopLagMaxMs: 1224, cpuWaitMs: 900 });
    expect(judge(samples, rate, 10)).toEqual(['event-loop lag reached 1224 ms']);
    expect(starvedLagNotes(samples)).toEqual([]);
  });

  it('the same sample is a note, not a failure, when the broker waited most of the interval for a CPU', () => {
    const samples = run({ loopLagMaxMs: 1224, cpuWaitMs: 7_300 });
    expect(judge(samples, rate, 10)).toEqual([]);
    expect(starvedLagNotes(samples)).toEqual(['event-loop lag 1224 ms at t=200s not counted: the broker waited 7300 of 10000 ms for a CPU (machine overloaded)']);
  });
});
