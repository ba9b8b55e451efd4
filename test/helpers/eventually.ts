/** Retries `check` every 100 ms until it passes, for up to `timeoutMs`: rows are updated just after the platform's answer. */
export async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  for (let waited = 0; ; waited += 100) {
    try {
      return await check();
    } catch (err) {
      if (waited >= timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Resolves once `predicate` holds, checked every 20 ms; rejects after `timeoutMs`, naming `what`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what}: condition not met in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
