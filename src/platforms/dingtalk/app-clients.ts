import type { DingtalkConfig } from '../../domain/channels.ts';
import type { ChannelOf } from '../adapter.ts';
import { ApiCache } from '../shared/api-cache.ts';
import type { PlatformClients } from '../shared/clients.ts';
import { DingtalkAppApi } from './app-api.ts';

const apis = new ApiCache<DingtalkAppApi>();

/** The channel's app API client, kept in `clients` while its settings stay the same. */
export const dingtalkApi = (clients: PlatformClients, channel: ChannelOf<DingtalkConfig>): DingtalkAppApi =>
  apis.get(
    clients,
    channel,
    () =>
      new DingtalkAppApi({
        ...clients.common(),
        config: channel.config,
        apiBase: clients.deps.config.DINGTALK_API_BASE,
        oapiBase: clients.deps.config.DINGTALK_OAPI_BASE,
      }),
  );
