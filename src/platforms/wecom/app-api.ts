import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WecomAppConfig } from '../../channels.ts';
import type { SendFailure, SendResult } from '../send-result.ts';
import { SharedToken, expirySeconds } from '../shared-token.ts';
import { assertWithinBytes, callWecom, failure } from './errors.ts';

// Private pushes go through the self-built app's message/send (SPEC §3), authorised by an access
// token that every process shares through Redis.

export type AppMessage = { kind: 'markdown' | 'text'; content: string };

/** UTF-8 byte limit of an app message's text or markdown content (WeCom truncates text beyond it). */
export const APP_MESSAGE_LIMIT = 2048;
/** WeCom takes at most 1000 userids in one `touser`. */
export const APP_MAX_RECIPIENTS = 1000;
/** A token that could not be had; its result is what the send it was for returns. */
export class WecomTokenError extends Error {
  constructor(readonly result: SendFailure) {
    super(`could not get a WeCom access token: ${result.reason}`);
  }
}

export interface WecomAppApiOptions {
  apiBase: string;
  redis: Redis;
  logger: Logger;
  config: Pick<WecomAppConfig, 'corpId' | 'agentId' | 'secret'>;
  channelId: string;
  /** Redis key prefix (QUEUE_PREFIX), so that test runs and deployments do not share tokens. */
  keyPrefix: string;
}

export class WecomAppApi {
  private readonly token: SharedToken;
  private readonly log: Logger;

  constructor(private readonly opts: WecomAppApiOptions) {
    const key = `${opts.keyPrefix}:wecom-token:${opts.config.corpId}:${opts.config.agentId}`;
    this.token = new SharedToken(opts.redis, key, () => this.fetchToken());
    this.log = opts.logger.child({ channel: opts.channelId, agentId: opts.config.agentId });
  }

  /**
   * The app's access token, from Redis when any process has fetched it, else from WeCom. Concurrent
   * callers share one load, so a burst of sends makes one gettoken call. Throws WecomTokenError.
   */
  accessToken(): Promise<string> {
    return this.token.get();
  }

  /** Sends one message to up to 1000 users; on 40014/42001 fetches a new token and retries once. */
  async sendMessage(opts: { touser: string[]; message: AppMessage }): Promise<SendResult> {
    const { touser, message } = opts;
    if (touser.length === 0 || touser.length > APP_MAX_RECIPIENTS) {
      throw new Error(`a WeCom app message takes 1-${APP_MAX_RECIPIENTS} recipients, not ${touser.length}`);
    }
    assertWithinBytes(message.content, APP_MESSAGE_LIMIT, `WeCom app ${message.kind}`);
    const json = {
      touser: touser.join('|'),
      msgtype: message.kind,
      agentid: Number(this.opts.config.agentId),
      [message.kind]: { content: message.content },
    };
    try {
      let token = await this.accessToken();
      let call = await this.post(token, json);
      if (call.outcome.kind === 'token') {
        this.log.info(`WeCom ${call.outcome.reason}: fetching a new token and retrying once`);
        token = await this.token.fresh(token);
        call = await this.post(token, json);
      }
      if (call.outcome.kind === 'ok') {
        if (call.answer?.invaliduser) this.log.warn(`WeCom delivered the message but not to these unknown users: ${String(call.answer.invaliduser)}`);
        return { delivered: true };
      }
      return this.failed('message send', failure(call.outcome, call.answer));
    } catch (err) {
      if (err instanceof WecomTokenError) return err.result;
      throw err;
    }
  }

  private post(token: string, json: unknown) {
    return callWecom(this.opts.apiBase, '/cgi-bin/message/send', { access_token: token }, { method: 'POST', json });
  }

  private async fetchToken(): Promise<{ token: string; expiresInS: number }> {
    const { corpId, secret } = this.opts.config;
    const { outcome, answer } = await callWecom(this.opts.apiBase, '/cgi-bin/gettoken', { corpid: corpId, corpsecret: secret }, { method: 'GET' });
    const token = answer?.access_token;
    if (outcome.kind !== 'ok' || typeof token !== 'string' || token === '') {
      const result: SendFailure =
        outcome.kind === 'ok' ? { delivered: false, kind: 'retry', reason: 'gettoken answered without an access_token' } : failure(outcome, answer);
      throw new WecomTokenError(this.failed('gettoken', result));
    }
    this.log.debug('fetched a WeCom access token');
    return { token, expiresInS: expirySeconds(answer?.expires_in) };
  }

  private failed(what: string, result: SendFailure): SendFailure {
    const level = result.kind === 'permanent' ? 'error' : 'warn';
    this.log[level]({ errcode: result.errcode }, `WeCom app ${what} failed: ${result.reason}`);
    return result;
  }
}
