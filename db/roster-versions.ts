// Which orgs' settings or members this process has written, as a counter per org: the caches of
// the chat layer (src/chat/roster-cache.ts) drop what they read before a write, whichever path
// wrote (admin API, console, import, a command). Other processes see a write when their copy's
// short TTL runs out. Ids alone, never the data: one counter per org ever written.

const versions = new Map<string, number>();

export const rosterVersion = (orgId: string): number => versions.get(orgId) ?? 0;

export function rosterWritten(orgId: string): void {
  versions.set(orgId, rosterVersion(orgId) + 1);
}
