import { describe, expect, it } from 'vitest';
import { consoleFacts } from '../src/platforms/index.ts';

// What the console's channel page is told of each channel, from its platform's adapter and its
// settings: which credentials it needs, how it reaches a group, whether reminders carry buttons.

const channel = (config: Parameters<typeof consoleFacts>[0]['config']) => ({ id: 'c1', orgId: 'o1', config });
const labels = (facts: ReturnType<typeof consoleFacts>) => facts.checklist?.fields.map(([, label]) => label);

describe('console facts of a channel', () => {
  it('a WeCom AI bot on its long connection needs its id and secret, reaches groups by socket and has buttons', () => {
    const facts = consoleFacts(channel({ platform: 'wecom-bot', mode: 'websocket', botId: 'b', secret: 's' }));
    expect(labels(facts)).toEqual(['BotID', 'Secret']);
    expect(facts.reach({ webhook: null })).toBe('socket');
    expect(facts.buttons).toMatchObject({ set: true });
  });

  it('a WeCom AI bot on callbacks needs the token and key, reaches a group only by its robot key, without buttons', () => {
    const facts = consoleFacts(channel({ platform: 'wecom-bot', token: 't', encodingAESKey: 'a'.repeat(43) }));
    expect(labels(facts)).toEqual(['Token', 'EncodingAESKey']);
    expect(facts.reach({ webhook: null })).toBeNull();
    expect(facts.reach({ webhook: 'key' })).toBe('robot');
    expect(facts.buttons).toMatchObject({ set: false });
  });

  it('DingTalk has buttons with a card template over Stream, and says why not otherwise', () => {
    const base = { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' } as const;
    expect(consoleFacts(channel({ ...base, mode: 'stream', cardTemplateId: 'tpl.schema' })).buttons).toMatchObject({ set: true });
    expect(consoleFacts(channel({ ...base, cardTemplateId: 'tpl.schema' })).buttons?.how).toContain('Stream');
    expect(consoleFacts(channel({ ...base, mode: 'stream' })).buttons).toMatchObject({ set: false });
    expect(consoleFacts(channel(base)).reach({ webhook: null })).toBe('app');
  });
});
