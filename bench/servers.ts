import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

// Servers run as child processes so that autocannon, in this process, never shares their event loop.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Whatever happens to the parent (a throw, process.exit), no child outlives it.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

export interface Child {
  name: string;
  /** http://127.0.0.1:PORT */
  base: string;
  /** The child's process id: its CPU time and peak memory are read from /proc/<pid>. */
  pid: number;
  /** Everything the child wrote to stdout and stderr, as lines. */
  lines(): string[];
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it; the child binds it a moment later). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** Runs `node --import tsx <script>` with PORT set and waits until GET readyPath answers 2xx. */
export async function startChild(name: string, script: string, env: Record<string, string>, readyPath: string): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  const exited = once(proc, 'exit').then(() => running.delete(proc));
  let output = '';
  proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const alive = () => proc.exitCode === null && proc.signalCode === null;

  const child: Child = {
    name,
    base: `http://127.0.0.1:${port}`,
    pid: proc.pid!,
    lines: () => output.split('\n').filter((line) => line.trim() !== ''),
    async stop() {
      if (alive()) {
        proc.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (alive()) proc.kill('SIGKILL');
      }
      await exited;
    },
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!alive()) throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}) before answering ${readyPath}:\n${output}`);
    const ok = await fetch(child.base + readyPath).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return child;
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`${name} did not answer ${readyPath} within 30 s:\n${output}`);
    }
    await sleep(100);
  }
}
