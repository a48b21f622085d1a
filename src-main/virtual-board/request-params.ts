// Query-string handling as bmcd's actix `web::Query<HashMap>` does it, and its shared `node` check.

export type QueryParams = Map<string, string>

/** Later duplicates win, as when serde fills a HashMap. */
export function parseQuery(search: string): QueryParams {
  const params: QueryParams = new Map()
  for (const [key, value] of new URLSearchParams(search)) params.set(key, value)
  return params
}

/** The 0-based `node` parameter, or the error message. Values are cast to u8, so 256 is node 0. */
export function nodeParam(query: QueryParams): number | { error: string } {
  const raw = query.get('node')
  if (raw === undefined) return { error: 'Missing `node` parameter' }
  if (!/^[+-]?\d+$/.test(raw) || Math.abs(Number(raw)) > 2 ** 31) {
    return { error: 'Parameter `node` is not a number' }
  }
  const node = ((Number(raw) % 256) + 256) % 256
  if (node > 3) return { error: 'Parameter `node` is out of range 0..3 of node IDs' }
  return node
}
