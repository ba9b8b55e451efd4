import type { WecomAppConfig } from '../../domain/channels.ts';
import type { ChannelOf } from '../adapter.ts';
import { ApiCache } from '../shared/api-cache.ts';
import type { PlatformClients } from '../shared/clients.ts';
import { WecomAppApi } from './app-api.ts';

const apis = new ApiCache<WecomAppApi>();

/** The self-built app's API client, kept in `clients` while its settings stay the same. */
export const wecomAppApi = (clients: PlatformClients, channel: ChannelOf<WecomAppConfig>): WecomAppApi =>
  apis.get(
    clients,
    channel,
    () =>
      new WecomAppApi({ ...clients.common(), config: channel.config, channelId: channel.id, apiBase: clients.deps.config.WECOM_API_BASE }),
  );
