import type { Mount, Route } from './http-server';

const DESCRIPTIONS: Record<string, string> = {
  '/metrics': 'Prometheus metrics',
  '/-/healthy': 'liveness',
  '/-/ready': 'readiness',
  '/-/reload': 'reload the configuration (POST)',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The small page at "/" that lists every endpoint under the route prefix. */
export function landingPage(prefix: string, routes: readonly Route[], parts: readonly string[], mounts: readonly Mount[] = []): string {
  const items = routes
    .filter((r) => r.path !== '/')
    .map((r) => {
      const href = `${prefix}${r.path}`;
      const label = `${r.method} ${escapeHtml(href)}`;
      const link = r.method === 'GET' && !r.path.includes(':') ? `<a href="${escapeHtml(href)}">${label}</a>` : label;
      const desc = DESCRIPTIONS[r.path];
      return `<li>${link}${desc ? ` — ${escapeHtml(desc)}` : ''}</li>`;
    })
    .concat(mounts.map((m) => `<li><a href="${escapeHtml(`${prefix}${m.prefix}/`)}">${escapeHtml(`${prefix}${m.prefix}/`)}</a> — portal</li>`))
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil</title></head>
<body>
<h1>Vigil</h1>
<p>Running parts: ${parts.map(escapeHtml).join(', ') || 'none'}</p>
<ul>
${items}
</ul>
</body></html>
`;
}
