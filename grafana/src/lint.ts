/**
 * The board linter: what every Vigil board must hold, as a list of problems (empty when clean).
 * Run on the generated JSON by test/grafana/boards.test.ts.
 */
import { PROM_VAR, LOGS_VAR } from './datasources';
import { type BoardJson, type PanelJson, isPrometheus, variableQuery } from './grafana-queries';

/** Functions whose range selector must follow the scrape interval ($__rate_interval) or the range ($__range). */
const RATE_FUNCS = /\b(rate|irate|increase|delta|idelta|resets|changes)\s*\(/g;
const ALLOWED_WINDOWS = new Set(['$__rate_interval', '$__range']);

/** The range selectors `[...]` inside the call that starts at `open` (the index of its "("). */
function windowsOfCall(expr: string, open: number): string[] {
  let depth = 0;
  for (let i = open; i < expr.length; i++) {
    if (expr[i] === '(') depth++;
    else if (expr[i] === ')' && --depth === 0) return [...expr.slice(open, i).matchAll(/\[([^\]]*)\]/g)].map((m) => (m[1] as string).split(':')[0] as string);
  }
  return [];
}

export function rateWindowProblems(expr: string): string[] {
  const problems: string[] = [];
  for (const m of expr.matchAll(RATE_FUNCS)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    for (const w of windowsOfCall(expr, open)) {
      if (!ALLOWED_WINDOWS.has(w.trim())) problems.push(`${m[1] as string}() over [${w}]: use $__rate_interval (or $__range for a total over the range)`);
    }
  }
  return problems;
}

function overlaps(a: PanelJson['gridPos'], b: PanelJson['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function gridProblems(panels: readonly PanelJson[]): string[] {
  const problems: string[] = [];
  for (const p of panels) {
    const g = p.gridPos;
    const ints = [g.x, g.y, g.w, g.h].every((n) => Number.isInteger(n));
    if (!ints || g.x < 0 || g.y < 0 || g.w < 1 || g.h < 1 || g.x + g.w > 24) problems.push(`panel "${p.title}": gridPos ${JSON.stringify(g)} is outside the 24-column grid`);
  }
  for (let i = 0; i < panels.length; i++) {
    for (let j = i + 1; j < panels.length; j++) {
      const [a, b] = [panels[i] as PanelJson, panels[j] as PanelJson];
      if (overlaps(a.gridPos, b.gridPos)) problems.push(`panels "${a.title}" and "${b.title}" overlap`);
    }
  }
  return problems;
}

function panelProblems(b: BoardJson, p: PanelJson): string[] {
  const where = `panel "${p.title}"`;
  const problems: string[] = [];
  if (!p.title?.trim()) problems.push(`panel ${p.id}: no title`);
  if (!p.description?.trim()) problems.push(`${where}: no description`);
  if (!p.fieldConfig?.defaults?.unit) problems.push(`${where}: no unit`);
  const ds = p.datasource?.uid;
  const wanted = isPrometheus(p.datasource) ? `\${${PROM_VAR}}` : `\${${LOGS_VAR}}`;
  if (ds !== wanted) problems.push(`${where}: datasource ${JSON.stringify(p.datasource)}, expected the variable ${wanted}`);
  if (!isPrometheus(p.datasource) && !b.templating.list.some((v) => v.type === 'datasource' && v.name === LOGS_VAR)) problems.push(`${where}: uses \${${LOGS_VAR}} but the board has no such variable`);
  const targets = p.targets ?? [];
  if (targets.length === 0) problems.push(`${where}: no queries`);
  const refIds = targets.map((t) => t.refId);
  if (new Set(refIds).size !== refIds.length) problems.push(`${where}: duplicate refIds ${refIds.join(',')}`);
  for (const t of targets) {
    if (isPrometheus(p.datasource)) {
      if (!t.expr?.trim()) problems.push(`${where} ${t.refId}: empty query`);
      for (const r of rateWindowProblems(t.expr ?? '')) problems.push(`${where} ${t.refId}: ${r}`);
    } else if (!t.query?.trim()) problems.push(`${where} ${t.refId}: empty query`);
  }
  return problems;
}

/** Problems of one board. */
export function lintBoard(b: BoardJson): string[] {
  const problems: string[] = [];
  if (!b.uid) problems.push('no uid');
  if (!b.title?.trim()) problems.push('no title');
  const vars = b.templating?.list ?? [];
  if (!vars.some((v) => v.type === 'datasource' && v.name === PROM_VAR && variableQuery(v) === 'prometheus')) problems.push(`no Prometheus datasource variable "${PROM_VAR}"`);
  for (const v of vars.filter((x) => x.type === 'query')) {
    if (v.datasource?.uid !== `\${${PROM_VAR}}`) problems.push(`variable ${v.name}: datasource is not \${${PROM_VAR}}`);
  }
  if (!(b.annotations?.list ?? []).some((a) => isPrometheus(a.datasource) && /deployment_/.test(a.expr ?? ''))) problems.push('no deployment annotation');
  const panels = b.panels ?? [];
  problems.push(...gridProblems(panels));
  const ids = panels.map((p) => p.id);
  if (new Set(ids).size !== ids.length) problems.push('duplicate panel ids');
  for (const p of panels.filter((x) => x.type !== 'row')) problems.push(...panelProblems(b, p));
  return problems;
}

/** Problems across boards: every uid once. */
export function lintBoards(boards: readonly BoardJson[]): string[] {
  const problems = boards.flatMap((b) => lintBoard(b).map((p) => `${b.uid || b.title}: ${p}`));
  const seen = new Set<string>();
  for (const b of boards) {
    if (seen.has(b.uid)) problems.push(`uid ${b.uid} is used by more than one board`);
    seen.add(b.uid);
  }
  return problems;
}
