import { createHandle } from '../../src/app.ts';
import { LongConnections } from '../../src/platforms/long-connections.ts';
import type { TestApp } from './app.ts';

// The processes that hold a test service's long connections, as its web processes would, only
// quicker: a sync every 100 ms, a lease of 800 ms, sockets that beat and back off in milliseconds.

/** The heartbeat, backoff and stable time of a test's sockets. */
export const QUICK = { heartbeatMs: 200, backoff: { minMs: 50, maxMs: 400 }, stableMs: 20 };

export class Holders {
  /** Every holder made, in order. */
  readonly made: LongConnections[] = [];

  /** `app`: the test's service, started after the holders are declared. */
  constructor(private readonly app: () => TestApp) {}

  /** A new holder of the service's long connections, not yet started. */
  make(): LongConnections {
    const t = this.app();
    const holder = new LongConnections({ ...t, handle: createHandle(t) }, { syncMs: 100, leaseMs: 800, ...QUICK });
    this.made.push(holder);
    return holder;
  }

  /** Stops every holder made (one stopped before stops again at no cost). */
  async stopAll(): Promise<void> {
    for (const holder of this.made) await holder.stop();
  }
}
