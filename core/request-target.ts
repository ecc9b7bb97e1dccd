/**
 * The request-target of an HTTP request line, read literally (RFC 9112 section 3.2).
 *
 * Routing uses the path exactly as the client sent it: no WHATWG URL parsing, which would read
 * "//evil/-/reload" as host "evil" and path "/-/reload", and no merging of "//" or resolving of
 * "..". A proxy rule that blocks a path therefore sees the same path that Vigil routes on.
 */
export interface RequestTarget {
  /** The literal path, always starting with "/". */
  readonly path: string;
  /** The query string without "?", "" when there is none. */
  readonly search: string;
}

const SCHEME_AUTHORITY = /^https?:\/\/[^/?#]*/i;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** The path and query of `target`, or the reason it is malformed (answered with 400). */
export function parseRequestTarget(target: string): RequestTarget | { readonly error: string } {
  let rest = target;
  if (!rest.startsWith('/')) {
    // absolute-form ("http://host/path"), which HTTP/1.1 servers must accept; its host is not used.
    const authority = SCHEME_AUTHORITY.exec(rest);
    if (!authority || !URL.canParse(authority[0])) return { error: 'malformed request target: expected a path starting with "/"' };
    rest = rest.slice(authority[0].length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  if (rest.includes('#')) return { error: 'malformed request target: a fragment ("#") is not allowed' };
  const q = rest.indexOf('?');
  const path = q === -1 ? rest : rest.slice(0, q);
  if (BAD_ESCAPE.test(path)) return { error: 'malformed request target: "%" must start an escape like "%2F"' };
  try {
    decodeURIComponent(path);
  } catch {
    return { error: 'malformed request target: a %-escape is not UTF-8' };
  }
  return { path, search: q === -1 ? '' : rest.slice(q + 1) };
}
