import type { Logger } from 'pino';
import type { DingtalkConfig } from '../../domain/channels.ts';
import {
  type AppApiOptions,
  CALL_TIMEOUT_MS,
  type Outcome,
  TokenError,
  type UploadFile,
  acceptToken,
  callForErrcode,
  failure,
  logFailure,
  mediaForm,
  networkFailure,
  redact,
  withToken,
} from '../shared/api.ts';
import { type SendMarks, sendMarks } from '../shared/send-marks.ts';
import type { SendFailure, SendResult } from '../shared/send-result.ts';
import { SharedToken } from '../shared/token.ts';
import { groupSpace } from './card.ts';
import { assertNotEmpty, classifyOapiErrcode, classifyStatus, jsonWithinLimit } from './errors.ts';

// Pushes through the enterprise-internal robot's v1.0 API: groups through
// groupMessages/send (or a card through card/instances/createAndDeliver), people through
// oToMessages/batchSend. The access token is shared by every process through Redis.

export type AppMarkdown = { title: string; markdown: string };

/** DingTalk takes at most 20 userIds in one batchSend; the caller splits longer lists. */
export const DINGTALK_MAX_PRIVATE_RECIPIENTS = 20;
export interface DingtalkAppApiOptions extends AppApiOptions {
  config: Pick<DingtalkConfig, 'appKey' | 'appSecret' | 'robotCode'>;
  /** The older API's base (oapi.dingtalk.com), where media are uploaded. */
  oapiBase: string;
}

interface ApiCall {
  outcome: Outcome;
  /** The parsed JSON of a 200 answer, else null. */
  answer: Record<string, unknown> | null;
  /** The error code of any other answer that has one (`{code, message}`), else null. */
  code: string | null;
}

/** One send: delivered with the 200's answer, or not, with DingTalk's error code where it gave one. */
type Sent = { delivered: true; answer: Record<string, unknown> | null } | { delivered: false; failure: SendFailure; code: string | null };

/**
 * A card's fate: a send's, or `no-card`: DingTalk will not deliver this card, whose notice must go
 * another way.
 */
export type CardResult = SendResult | { delivered: false; kind: 'no-card'; reason: string };

// createAndDeliver's refusals that say what became of the card (its reference's error table, and
// the v1.0 API's global codes): an outTrackId it already holds; a template it does not have or that
// is not published; an app without the card permission (互动卡片实例写权限).
const CARD_EXISTS = 'param.cardAlreadyExist';
const CARD_REFUSED: ReadonlySet<string> = new Set([
  'param.templateNotExist',
  'param.templateUnpublished',
  'Forbidden.AccessDenied.AccessTokenPermissionDenied',
]);
const CARD_CODES: ReadonlySet<string> = new Set([CARD_EXISTS, ...CARD_REFUSED]);

export class DingtalkAppApi {
  private readonly token: SharedToken;
  /** The older API's own token (`gettoken`), for media uploads. */
  private readonly oapiToken: SharedToken;
  private readonly log: Logger;
  /** Cards DingTalk made and said it did not deliver, by outTrackId: a retry finds them made. */
  private readonly undelivered: SendMarks;

  constructor(private readonly opts: DingtalkAppApiOptions) {
    this.token = new SharedToken(opts.redis, `${opts.keyPrefix}:dingtalk-token:${opts.config.appKey}`, () => this.fetchToken());
    const oapiKey = `${opts.keyPrefix}:dingtalk-oapi-token:${opts.config.appKey}`;
    this.oapiToken = new SharedToken(opts.redis, oapiKey, () => this.fetchOapiToken());
    this.log = opts.logger.child({ robotCode: opts.config.robotCode });
    this.undelivered = sendMarks({ ...opts, logger: this.log }, 'dingtalk-card-undelivered');
  }

  /**
   * The app's access token, from Redis when any process has fetched it, else from DingTalk.
   * Concurrent callers share one load. Throws TokenError.
   */
  accessToken(): Promise<string> {
    return this.token.get();
  }

  /** Markdown to a group chat the robot is in. */
  async sendGroup(opts: { openConversationId: string; message: AppMarkdown }): Promise<SendResult> {
    const json = { openConversationId: opts.openConversationId, ...this.payload(opts.message) };
    const sent = await this.send('/v1.0/robot/groupMessages/send', json, 'group message');
    return sent.delivered ? { delivered: true } : sent.failure;
  }

  /**
   * A card to a group the robot is in, created and delivered in one call as the dingtalk-stream
   * SDK's CardReplier.create_and_deliver_card sends it, its presses called back over Stream.
   * `outTrackId` names the card: a retry sends the same id, never a second one, and DingTalk
   * refuses it as existing when an earlier attempt made the card. That card was delivered (its
   * answer lost), unless DingTalk said it was not: then, as when it refuses the template or the
   * app's permission, it is `no-card`. `mentions` ({userid: name}) are @-mentioned by its delivery
   * (`imGroupOpenDeliverModel.atUserIds`, as the SDK's at_sender sets it).
   */
  async sendCard(opts: {
    openConversationId: string;
    templateId: string;
    outTrackId: string;
    params: Record<string, string>;
    mentions?: Record<string, string>;
  }): Promise<CardResult> {
    const atUserIds = opts.mentions && Object.keys(opts.mentions).length ? { atUserIds: opts.mentions } : {};
    const json = {
      cardTemplateId: opts.templateId,
      outTrackId: opts.outTrackId,
      cardData: { cardParamMap: opts.params },
      callbackType: 'STREAM',
      imGroupOpenSpaceModel: { supportForward: false },
      openSpaceId: groupSpace(opts.openConversationId),
      imGroupOpenDeliverModel: { robotCode: this.opts.config.robotCode, ...atUserIds },
    };
    const sent = await this.send('/v1.0/card/instances/createAndDeliver', json, 'card', CARD_CODES);
    if (sent.delivered) return this.checkDelivered(opts.outTrackId, sent.answer);
    if (sent.code === CARD_EXISTS) return this.madeBefore(opts.outTrackId);
    if (sent.code !== null && CARD_REFUSED.has(sent.code)) return { delivered: false, kind: 'no-card', reason: sent.failure.reason };
    return sent.failure;
  }

  /** Markdown one-to-one to 1–20 users; throws on more, so that a retry never re-sends to users of another batch. */
  async sendPrivate(opts: { userIds: string[]; message: AppMarkdown }): Promise<SendResult> {
    return this.sendPrivateMessage(opts.userIds, this.payload(opts.message));
  }

  /**
   * A file one-to-one to 1–20 users: uploaded through the older API's media/upload, with that API's
   * own token (`gettoken`), then sent as the robot's `sampleFile` message.
   */
  async sendPrivateFile(opts: { userIds: string[]; file: UploadFile & { type: string } }): Promise<SendResult> {
    const form = mediaForm(opts.file);
    const upload = (token: string) =>
      callForErrcode(
        'DingTalk',
        this.oapiUrl('/media/upload', { access_token: token, type: 'file' }),
        { method: 'POST', form },
        (code, msg) => classifyOapiErrcode(code, redact(msg, [token])),
      );
    let mediaId: unknown;
    try {
      const { outcome, answer } = await withToken(this.oapiToken, upload, this.log, 'DingTalk media upload');
      if (outcome.kind !== 'ok') return logFailure(this.log, 'DingTalk media upload', failure(outcome, answer?.errcode));
      mediaId = answer?.media_id;
    } catch (err) {
      if (err instanceof TokenError) return err.result;
      throw err;
    }
    if (typeof mediaId !== 'string' || mediaId === '')
      return logFailure(this.log, 'DingTalk media upload', {
        delivered: false,
        kind: 'retry',
        reason: 'DingTalk answered without a media_id',
      });
    const msgParam = JSON.stringify({ mediaId, fileName: opts.file.name, fileType: opts.file.type });
    return this.sendPrivateMessage(opts.userIds, { robotCode: this.opts.config.robotCode, msgKey: 'sampleFile', msgParam });
  }

  private async sendPrivateMessage(ids: string[], payload: { robotCode: string; msgKey: string; msgParam: string }): Promise<SendResult> {
    const userIds = [...new Set(ids)];
    if (userIds.length === 0 || userIds.length > DINGTALK_MAX_PRIVATE_RECIPIENTS) {
      throw new Error(`a DingTalk batchSend takes 1-${DINGTALK_MAX_PRIVATE_RECIPIENTS} userIds, not ${userIds.length}: split the list`);
    }
    const sent = await this.send('/v1.0/robot/oToMessages/batchSend', { ...payload, userIds }, 'private message');
    return sent.delivered ? this.checkRecipients(userIds, sent.answer) : sent.failure;
  }

  private payload(message: AppMarkdown) {
    assertNotEmpty(message.title, 'DingTalk markdown title');
    assertNotEmpty(message.markdown, 'DingTalk markdown text');
    const { robotCode } = this.opts.config;
    return { robotCode, msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: message.title, text: message.markdown }) };
  }

  /**
   * One send; on an auth failure fetches a new token and retries once. A failure is logged unless
   * its code is one of `reads`, which the caller reads for itself. Throws only for an over-limit body.
   */
  private async send(path: string, body: unknown, what: string, reads: ReadonlySet<string> = new Set()): Promise<Sent> {
    const json = jsonWithinLimit(body, `DingTalk ${what}`);
    try {
      const call = await withToken(this.token, (token) => this.call(path, json, token), this.log, `DingTalk ${what}`);
      if (call.outcome.kind === 'ok') return { delivered: true, answer: call.answer };
      const failed = failure(call.outcome);
      if (call.code === null || !reads.has(call.code)) logFailure(this.log, `DingTalk ${what}`, failed);
      return { delivered: false, failure: failed, code: call.code };
    } catch (err) {
      if (err instanceof TokenError) return { delivered: false, failure: err.result, code: null };
      throw err;
    }
  }

  // createAndDeliver answers 200 with a result per space. A space not delivered to has no card,
  // while the card is made: a retry would be refused as existing, so the notice goes another way
  // now, and the mark tells a retry that finds the card made that it never arrived. A failure with
  // no space named may or may not have made the card: it is tried again, marked the same.
  private async checkDelivered(outTrackId: string, answer: Record<string, unknown> | null): Promise<CardResult> {
    const result = answer?.result as { deliverResults?: unknown } | undefined;
    const spaces = Array.isArray(result?.deliverResults) ? (result.deliverResults as { success?: unknown; errorMsg?: unknown }[]) : [];
    const failed = spaces.find((s) => s.success === false);
    if (answer?.success !== false && !failed) return { delivered: true };
    await this.undelivered.set(outTrackId);
    const why = typeof failed?.errorMsg === 'string' ? `: ${failed.errorMsg.slice(0, 200)}` : '';
    const reason = `DingTalk did not deliver the card${why}`;
    if (failed) return { delivered: false, kind: 'no-card', reason };
    return logFailure(this.log, 'DingTalk card', { delivered: false, kind: 'retry', reason });
  }

  /** A card an earlier attempt made: delivered, its answer lost, unless that attempt was told otherwise. */
  private async madeBefore(outTrackId: string): Promise<CardResult> {
    // Where Redis cannot say, delivered: a notice is better missed than posted twice.
    if ((await this.undelivered.has(outTrackId)) === true) {
      return { delivered: false, kind: 'no-card', reason: 'DingTalk made the card before but did not deliver it' };
    }
    this.log.info({ outTrackId }, 'DingTalk holds this card already: an earlier attempt delivered it');
    return { delivered: true };
  }

  // Users DingTalk flow-controlled got nothing: when that is everyone, the whole send can wait and
  // be retried; when only some, a retry would repeat it to the others, so it is only logged.
  private checkRecipients(userIds: string[], answer: Record<string, unknown> | null): SendResult {
    const invalid = stringList(answer?.invalidStaffIdList);
    const throttled = stringList(answer?.flowControlledStaffIdList);
    if (invalid.length) this.log.warn(`DingTalk did not deliver to these unknown users: ${invalid.join(', ')}`);
    if (throttled.length && throttled.length + invalid.length >= userIds.length) {
      return logFailure(this.log, 'DingTalk private message', {
        delivered: false,
        kind: 'rate-limited',
        reason: 'DingTalk flow-controlled every recipient',
      });
    }
    if (throttled.length) this.log.warn(`DingTalk flow-controlled these users, who did not get the message: ${throttled.join(', ')}`);
    return { delivered: true };
  }

  private async call(path: string, json: string, token: string | null): Promise<ApiCall> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.apiBase.replace(/\/+$/, '')}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...(token ? { 'x-acs-dingtalk-access-token': token } : {}) },
        body: json,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (err) {
      return { outcome: networkFailure(err), answer: null, code: null };
    }
    let answer: unknown = null;
    try {
      answer = await res.json();
    } catch {
      // an edge's HTML page, or an empty body: the status decides
    }
    const fields = answer !== null && typeof answer === 'object' ? (answer as Record<string, unknown>) : null;
    if (res.status === 200) return { outcome: { kind: 'ok' }, answer: fields, code: null };
    const secrets = [token ?? undefined, this.opts.config.appSecret];
    const code = redact(String(fields?.code ?? ''), secrets);
    const message = redact(String(fields?.message ?? ''), secrets);
    return { outcome: classifyStatus(res.status, code, message), answer: null, code: code || null };
  }

  private oapiUrl(path: string, query: Record<string, string>): string {
    return `${this.opts.oapiBase.replace(/\/+$/, '')}${path}?${new URLSearchParams(query)}`;
  }

  private async fetchOapiToken(): Promise<{ token: string; expiresInS: number }> {
    const token = await fetchOapiToken(this.opts.oapiBase, this.opts.config, this.log);
    this.log.debug('fetched a DingTalk older-API access token');
    return token;
  }

  private async fetchToken(): Promise<{ token: string; expiresInS: number }> {
    const { appKey, appSecret } = this.opts.config;
    const call = await this.call('/v1.0/oauth2/accessToken', JSON.stringify({ appKey, appSecret }), null);
    const token = acceptToken(this.log, 'DingTalk access token', call, call.answer?.accessToken, call.answer?.expireIn);
    this.log.debug('fetched a DingTalk access token');
    return token;
  }
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The older API's own token (`gettoken`), which media uploads and the directory share through Redis. */
export async function fetchOapiToken(
  oapiBase: string,
  config: Pick<DingtalkConfig, 'appKey' | 'appSecret'>,
  log: Logger,
): Promise<{ token: string; expiresInS: number }> {
  const { appKey, appSecret } = config;
  const call = await callForErrcode(
    'DingTalk',
    `${oapiBase.replace(/\/+$/, '')}/gettoken?${new URLSearchParams({ appkey: appKey, appsecret: appSecret })}`,
    { method: 'GET' },
    (code, msg) => classifyOapiErrcode(code, redact(msg, [appSecret])),
  );
  return acceptToken(
    log,
    'DingTalk gettoken',
    { outcome: call.outcome, errcode: call.answer?.errcode },
    call.answer?.access_token,
    call.answer?.expires_in,
  );
}
