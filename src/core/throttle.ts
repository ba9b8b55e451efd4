import { systemClock } from './clock.ts';

/**
 * A gate that lets one call through per `ms` of wall-clock time: an outage that errors on every
 * retry is logged once a minute, not hundreds of times.
 */
export function oncePer(ms: number): (log: () => void) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (log) => {
    const now = systemClock.now();
    if (now - last < ms) return;
    last = now;
    log();
  };
}
