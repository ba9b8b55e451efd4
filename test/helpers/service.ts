import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './private-redis.ts';

// The service as `npm start` runs it, a process of its own, for faults that kill it. Its log is kept
// so that a test can check what it wrote (no secret, no mobile number).

export interface ServiceProcess {
  child: ChildProcess;
  /** Its base URL (web roles). */
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  log(): string;
  /** Sends `signal` and waits for the exit. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** Starts `src/main.ts` with `env` on top of this process's; resolves once it serves (web) or its workers run (worker). */
export async function startService(env: Record<string, string>, port?: number): Promise<ServiceProcess> {
  const listen = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env, PORT: String(listen) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const ready = env.ROLE === 'worker' ? 'workers running' : 'listening on';
  await new Promise<void>((resolve, reject) => {
    // Both cleared once the service is ready or gone: the deadline must not kill a service that runs
    // longer than 30 s (a handover test's process did, SIGKILLed in the middle of its SIGTERM).
    const done = () => {
      clearInterval(timer);
      clearTimeout(deadline);
    };
    const timer = setInterval(() => {
      if (out.includes(ready)) {
        done();
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      done();
      reject(new Error(`the service exited with ${code} before it was ready: ${out.slice(-2000)}`));
    });
    const deadline = setTimeout(() => {
      done();
      // Not left running behind a failed test.
      child.kill('SIGKILL');
      reject(new Error(`the service was not ready within 30 s: ${out.slice(-2000)}`));
    }, 30_000);
    deadline.unref();
  });
  return {
    child,
    url: `http://127.0.0.1:${listen}`,
    log: () => out,
    async stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await once(child, 'exit');
    },
  };
}

export interface Outcome {
  status: number;
  ms: number;
}

/**
 * Posts `bodies` as a platform does: `concurrency` at a time, and each until it gets a 2xx,
 * retrying after `retryMs` on a 5xx or a refused connection. Every answer is recorded.
 */
export async function sendLikeAPlatform(
  url: () => string,
  requests: { path: string; headers: () => Record<string, string>; body: string }[],
  opts: { concurrency: number; retryMs: number; giveUpAfterMs: number },
): Promise<{ answers: Outcome[]; unanswered: number }> {
  const answers: Outcome[] = [];
  let next = 0;
  let unanswered = 0;
  async function one(request: (typeof requests)[number]) {
    const deadline = performance.now() + opts.giveUpAfterMs;
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const res = await fetch(`${url()}${request.path}`, {
          method: 'POST',
          headers: request.headers(),
          body: request.body,
          signal: AbortSignal.timeout(5_000),
        });
        await res.arrayBuffer();
        answers.push({ status: res.status, ms: performance.now() - started });
        if (res.status < 300) return;
      } catch {
        // refused or reset: the service is down; the platform tries again
      }
      await new Promise((r) => setTimeout(r, opts.retryMs));
    }
    unanswered++;
  }
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < requests.length) await one(requests[next++]!);
    }),
  );
  return { answers, unanswered };
}
