/** A call that did not answer in time (a hung database, a stalled Redis). */
export class DeadlineExceeded extends Error {}

/** `work`'s result, or a DeadlineExceeded rejection after `ms`: a hung dependency must not hang an answer. */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
