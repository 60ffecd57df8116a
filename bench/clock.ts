/**
 * CPU time of this process in ms (user + system, all threads). Benchmarks use it rather than wall time: on a
 * shared machine, being descheduled inflates wall time at random, CPU time much less.
 */
export function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
