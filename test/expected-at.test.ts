import { describe, expect, it } from 'vitest';
import { expectedAt, expectedThere } from '../src/chat/meeting-lookup.ts';
import { keptValue } from '../src/chat/roster-cache.ts';
import { type MemberFacts, expectedMembers } from '../src/domain/meetings.ts';

// Who is expected at a meeting is worked out once for a roster the cache keeps, not for
// every 签到 of a burst; what it gives is expectedMembers' answer whichever way it is reached.

const START = Date.UTC(2026, 11, 7, 6, 0, 0);
const DAY = 86_400_000;

const member = (id: string, fields: Partial<MemberFacts> = {}): MemberFacts => ({
  id,
  name: id,
  role: 'member',
  party_group: null,
  probationary: false,
  ...fields,
});

const roster = (): MemberFacts[] => [
  member('s0', { role: 'secretary' }),
  member('c1', { role: 'committee' }),
  member('m2', { party_group: '一组' }),
  member('m3', { party_group: '二组', left_at: START - DAY }),
  member('m4', { terms: [{ from: START + DAY, until: null }] }),
];

const meeting = (type: 'assembly' | 'committee' | 'group', starts_at = START, party_group: string | null = null) => ({
  type,
  party_group,
  starts_at,
});

describe('expectedAt', () => {
  it('gives what expectedMembers gives, for each meeting of a kept roster', () => {
    const kept = keptValue(roster());
    for (const m of [meeting('assembly'), meeting('committee'), meeting('group', START, '一组'), meeting('assembly', START + 2 * DAY)]) {
      expect(expectedAt(m, kept)).toEqual(expectedMembers(m, kept));
    }
    expect(expectedAt(meeting('assembly'), kept).map((m) => m.id)).toEqual(['s0', 'c1', 'm2']);
    expect(expectedAt(meeting('assembly', START + 2 * DAY), kept).map((m) => m.id)).toEqual(['s0', 'c1', 'm2', 'm4']);
    expect([expectedThere(meeting('committee'), kept, 'c1'), expectedThere(meeting('committee'), kept, 'm2')]).toEqual([true, false]);
  });

  it('works a kept roster out once a meeting; a roster that may still change, every time', () => {
    const kept = keptValue(roster());
    const first = expectedAt(meeting('assembly'), kept);
    expect(expectedAt(meeting('assembly'), kept)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // Another start, type or group is another answer.
    expect(expectedAt(meeting('assembly', START + 2 * DAY), kept)).not.toBe(first);
    expect(expectedAt(meeting('group', START, '一组'), kept)).not.toBe(expectedAt(meeting('group', START, '二组'), kept));
    // The same roster read again (a new array) is worked out again.
    expect(expectedAt(meeting('assembly'), keptValue(roster()))).not.toBe(first);
    // A roster the cache does not keep is worked out every time, frozen or not.
    const frozen = Object.freeze(roster());
    expect(expectedAt(meeting('assembly'), frozen)).not.toBe(expectedAt(meeting('assembly'), frozen));

    const open = roster();
    const before = expectedAt(meeting('assembly'), open);
    open.push(member('m5'));
    expect(expectedAt(meeting('assembly'), open)).not.toBe(before);
    expect(expectedAt(meeting('assembly'), open).map((m) => m.id)).toEqual(['s0', 'c1', 'm2', 'm5']);
  });
});
