// A tags column holds a JSON array of strings; the domain reads a list. Decoded where rows are read,
// encoded where they are written.

/** A tags column as stored; anything unreadable is no tags. */
export function storedTags(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

export const tagsColumn = (tags: readonly string[]): string => JSON.stringify(tags);
