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
