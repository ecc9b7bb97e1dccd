import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { DashboardConfig } from './config';

/**
 * Who may read the portal: everyone (no auth configured), viewers with the basic-auth password,
 * or requests carrying the trusted proxy's user header. Sets res.locals.viewer to the user name.
 */
export function authMiddleware(cfg: DashboardConfig['auth'], password: string | undefined) {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  const want = cfg.basic && password !== undefined ? digest(`${cfg.basic.username}:${password}`) : undefined;
  const proxyHeader = cfg.proxy_header?.toLowerCase();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (want) {
      const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
      const given = m ? Buffer.from(m[1] as string, 'base64').toString('utf8') : undefined;
      if (given === undefined || !timingSafeEqual(digest(given), want)) {
        res.setHeader('www-authenticate', 'Basic realm="Vigil", charset="UTF-8"');
        res.status(401).type('text/plain').send('Sign in to see the Vigil portal.\n');
        return;
      }
      res.locals.viewer = given.slice(0, given.indexOf(':'));
    } else if (proxyHeader) {
      const user = req.headers[proxyHeader];
      const name = Array.isArray(user) ? user[0] : user;
      if (!name) {
        res.status(403).type('text/plain').send(`This portal is served through a signing-in proxy: ${cfg.proxy_header} is missing.\n`);
        return;
      }
      res.locals.viewer = name.slice(0, 200);
    }
    next();
  };
}

/**
 * A state-changing form post must come from the portal's own pages (no cross-site request
 * forgery): a browser's Sec-Fetch-Site must say same-origin; without it, a browser's Origin must
 * name this host. A client that sends neither (curl, a script) is not a browser and may post.
 */
export function sameOrigin(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
