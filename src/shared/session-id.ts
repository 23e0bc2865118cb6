/** Session ids are UUIDs (any case in, lowercase out). Anything else never reaches the disk. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseSessionId(raw: string): string | null {
  if (raw.length !== 36) return null;
  const id = raw.toLowerCase();
  return UUID_RE.test(id) ? id : null;
}

/** Parses an id taken from a URL path segment; a malformed %-escape is just not an id. */
export function parseSessionIdSegment(segment: string): string | null {
  let raw: string;
  try {
    raw = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return parseSessionId(raw);
}
