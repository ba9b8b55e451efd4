import type WebSocket from 'ws';

// What both long connections share: one socket at a time, a heartbeat while it lives, reconnects
// that back off from `minMs` doubling to `maxMs` with up to half of each wait taken off at random
// (so that processes restarted together do not reconnect together), and a stop that leaves no
// socket, timer or scheduled reconnect behind. The backoff starts over only once a socket has stayed
// up `stableMs`: a server that accepts and closes at once is backed off from like one that refuses.

export interface Backoff {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { minMs: 1_000, maxMs: 60_000 };

/** How long a socket must stay up before its next failure waits the shortest time again. */
export const STABLE_MS = 30_000;

export abstract class LongSocket {
  protected socket: WebSocket | undefined;
  protected heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stable: NodeJS.Timeout | undefined;
  private failures = 0;
  protected stopped = true;

  constructor(
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
    private readonly stableMs = STABLE_MS,
  ) {}

  /** Opens a socket (and sets `socket`); on failure calls `reconnectLater`. */
  protected abstract connect(): void | Promise<void>;

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  /** Closes the socket and cancels any reconnect. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.drop();
  }

  /** The socket works: if it stays up `stableMs`, the next failure waits the shortest time again. */
  protected succeeded(): void {
    clearTimeout(this.stable);
    this.stable = setTimeout(() => {
      this.failures = 0;
    }, this.stableMs);
  }

  /** Ends the socket and its heartbeat, its listeners gone so that its close does nothing more. */
  protected drop(): void {
    clearTimeout(this.stable);
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
    }
  }

  protected reconnectLater(): void {
    if (this.stopped) return;
    const ceiling = Math.min(this.backoff.maxMs, this.backoff.minMs * 2 ** this.failures);
    this.failures++;
    const delay = ceiling - Math.random() * (ceiling / 2);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), delay);
  }

  /** Listens for `socket`'s close: unless it was replaced meanwhile, drop it and reconnect later. */
  protected reconnectOnClose(socket: WebSocket): void {
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.drop();
      this.reconnectLater();
    });
  }
}
