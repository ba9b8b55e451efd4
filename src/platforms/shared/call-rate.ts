import { systemClock } from '../../core/clock.ts';

// A platform's documented call rate, kept by waiting: each call takes a place in every window of its
// API first (DingTalk counts calls a second per app and API, WeCom a minute and an hour per corp and
// API). Kept in this process: the directory is read by one admin request at a time per org, far
// below the hourly limits, so a Redis-wide count would buy nothing.

export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** Real time, for pacing: a wait is a wait whatever the service's clock says. */
export interface Pacing {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_PACING: Pacing = {
  now: () => systemClock.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The first index of `times` (ascending) at or after `at`. */
function lowerBound(times: readonly number[], at: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CallRate {
  /** When each call still inside the longest window was made, oldest first. */
  private readonly times: number[] = [];
  private readonly windows: RateWindow[];

  constructor(
    windows: readonly RateWindow[],
    readonly pacing: Pacing = REAL_PACING,
  ) {
    // A tenth of a window spare (a second at most): the platform counts arrivals, a little after our calls.
    this.windows = windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs + Math.min(1_000, Math.round(w.windowMs / 10)) }));
  }

  /** Waits until a call fits every window, and counts it. */
  async take(): Promise<void> {
    for (;;) {
      const now = this.pacing.now();
      const wait = this.waitAt(now);
      if (wait <= 0) {
        this.times.push(now);
        return;
      }
      await this.pacing.sleep(wait);
    }
  }

  private waitAt(now: number): number {
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    this.times.splice(0, lowerBound(this.times, now - longest + 1));
    let wait = 0;
    for (const w of this.windows) {
      const inside = this.times.length - lowerBound(this.times, now - w.windowMs + 1);
      // The call that must leave the window before another fits.
      if (inside >= w.limit) wait = Math.max(wait, this.times[this.times.length - w.limit]! + w.windowMs - now);
    }
    return wait;
  }
}

const shared = new Map<string, CallRate>();

/** This process's one CallRate of `key` (an app's or a corp's API). */
export function sharedRate(key: string, windows: readonly RateWindow[]): CallRate {
  let rate = shared.get(key);
  if (!rate) {
    rate = new CallRate(windows);
    shared.set(key, rate);
  }
  return rate;
}
