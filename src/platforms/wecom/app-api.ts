import type { Logger } from 'pino';
import type { WecomAppConfig } from '../../domain/channels.ts';
import { type AppApiOptions, TokenError, type UploadFile, acceptToken, failure, logFailure, mediaForm, withToken } from '../shared/api.ts';
import type { SendResult } from '../shared/send-result.ts';
import { SharedToken } from '../shared/token.ts';
import { assertWithinBytes, callWecom } from './api.ts';

// Private pushes go through the self-built app's message/send, authorised by an access
// token that every process shares through Redis.

export type AppMessage = { kind: 'markdown' | 'text'; content: string };

/** UTF-8 byte limit of an app message's text or markdown content (WeCom truncates text beyond it). */
export const APP_MESSAGE_LIMIT = 2048;
/** WeCom takes at most 1000 userids in one `touser`. */
export const APP_MAX_RECIPIENTS = 1000;

export interface WecomAppApiOptions extends AppApiOptions {
  config: Pick<WecomAppConfig, 'corpId' | 'agentId' | 'secret'>;
  channelId: string;
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
   * callers share one load, so a burst of sends makes one gettoken call. Throws TokenError.
   */
  accessToken(): Promise<string> {
    return this.token.get();
  }

  /** Sends one message to up to 1000 users; on 40014/42001 fetches a new token and retries once. */
  async sendMessage(opts: { touser: string[]; message: AppMessage }): Promise<SendResult> {
    const { message } = opts;
    assertWithinBytes(message.content, APP_MESSAGE_LIMIT, `WeCom app ${message.kind}`);
    return this.send(opts.touser, message.kind, { content: message.content }, 'WeCom app message send');
  }

  /** A file to up to 1000 users: uploaded as temporary media (kept 3 days by WeCom), then sent as a file message. */
  async sendFile(opts: { touser: string[]; file: UploadFile }): Promise<SendResult> {
    const form = mediaForm(opts.file);
    const upload = (token: string) =>
      callWecom(this.opts.apiBase, '/cgi-bin/media/upload', { access_token: token, type: 'file' }, { method: 'POST', form });
    try {
      const { outcome, answer } = await withToken(this.token, upload, this.log, 'WeCom media upload');
      if (outcome.kind !== 'ok') return logFailure(this.log, 'WeCom media upload', failure(outcome, answer?.errcode));
      const mediaId = answer?.media_id;
      if (typeof mediaId !== 'string' || mediaId === '')
        return logFailure(this.log, 'WeCom media upload', { delivered: false, kind: 'retry', reason: 'WeCom answered without a media_id' });
      return await this.send(opts.touser, 'file', { media_id: mediaId }, 'WeCom app file send');
    } catch (err) {
      if (err instanceof TokenError) return err.result;
      throw err;
    }
  }

  private async send(touser: string[], msgtype: string, content: Record<string, string>, what: string): Promise<SendResult> {
    if (touser.length === 0 || touser.length > APP_MAX_RECIPIENTS) {
      throw new Error(`a WeCom app message takes 1-${APP_MAX_RECIPIENTS} recipients, not ${touser.length}`);
    }
    const json = { touser: touser.join('|'), msgtype, agentid: Number(this.opts.config.agentId), [msgtype]: content };
    const post = (token: string) =>
      callWecom(this.opts.apiBase, '/cgi-bin/message/send', { access_token: token }, { method: 'POST', json });
    try {
      const { outcome, answer } = await withToken(this.token, post, this.log, what);
      if (outcome.kind !== 'ok') return logFailure(this.log, what, failure(outcome, answer?.errcode));
      if (answer?.invaliduser) this.log.warn(`WeCom delivered the message but not to these unknown users: ${String(answer.invaliduser)}`);
      return { delivered: true };
    } catch (err) {
      if (err instanceof TokenError) return err.result;
      throw err;
    }
  }

  private async fetchToken(): Promise<{ token: string; expiresInS: number }> {
    const { corpId, secret } = this.opts.config;
    const call = await callWecom(this.opts.apiBase, '/cgi-bin/gettoken', { corpid: corpId, corpsecret: secret }, { method: 'GET' });
    const token = acceptToken(
      this.log,
      'WeCom gettoken',
      { outcome: call.outcome, errcode: call.answer?.errcode },
      call.answer?.access_token,
      call.answer?.expires_in,
    );
    this.log.debug('fetched a WeCom access token');
    return token;
  }
}
