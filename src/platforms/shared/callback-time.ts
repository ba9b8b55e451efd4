// When a platform's callback is recent enough to be taken: within an hour of now either way. One
// rule for the Node checks and the Workers ingress (web-crypto.ts), so this module imports nothing.

export const MAX_CLOCK_SKEW_MS = 3_600_000;

/** A DingTalk callback's `timestamp` header (ms). */
export const dingtalkTimestampFresh = (timestamp: string, now: number): boolean =>
  /^\d{1,16}$/.test(timestamp) && Math.abs(now - Number(timestamp)) <= MAX_CLOCK_SKEW_MS;

/** A WeCom callback's `timestamp` query value (s). */
export const wecomTimestampFresh = (timestamp: string, now: number): boolean =>
  /^\d{1,12}$/.test(timestamp) && Math.abs(now - Number(timestamp) * 1000) <= MAX_CLOCK_SKEW_MS;
