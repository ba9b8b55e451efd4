import type { Channel } from '../../domain/channels.ts';
import type { PlatformClients } from './clients.ts';

/**
 * One platform's API clients, one per channel and PlatformClients: kept while the channel's
 * settings stay the same, made again when they change.
 */
export class ApiCache<T> {
  private readonly byClients = new WeakMap<PlatformClients, Map<string, { key: string; api: T }>>();

  get(clients: PlatformClients, channel: Pick<Channel, 'id' | 'config'>, make: () => T): T {
    let apis = this.byClients.get(clients);
    if (!apis) {
      apis = new Map();
      this.byClients.set(clients, apis);
    }
    const key = JSON.stringify(channel.config);
    const hit = apis.get(channel.id);
    if (hit?.key === key) return hit.api;
    const api = make();
    apis.set(channel.id, { key, api });
    return api;
  }
}
