import { publicUrl, type DashboardConfig } from './config';

/** Links to the components' own pages for depth: always built from the public URLs, only when configured. */

const rison = (s: string): string => `'${s.replace(/!/g, '!!').replace(/'/g, "!'")}'`;
const kql = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function grafanaBoard(cfg: DashboardConfig, uid: string, vars: Readonly<Record<string, string>>): string | undefined {
  const base = publicUrl(cfg.grafana);
  if (!base) return undefined;
  const q = new URLSearchParams(Object.entries(vars).map(([k, v]): [string, string] => [`var-${k}`, v]));
  return `${base}/d/${encodeURIComponent(uid)}/?${q.toString()}`;
}

export const grafanaProject = (cfg: DashboardConfig, project: string): string | undefined =>
  cfg.grafana && grafanaBoard(cfg, cfg.grafana.projects_board_uid, { project });

export const grafanaDeployments = (cfg: DashboardConfig, project: string): string | undefined =>
  cfg.grafana && grafanaBoard(cfg, cfg.grafana.deployments_board_uid, { project });

/** Kibana Discover on Vigil's logs data view with a KQL query, over the last `range` (now-24h). */
export function kibanaDiscover(cfg: DashboardConfig, query: string, range = 'now-24h'): string | undefined {
  const base = publicUrl(cfg.kibana);
  if (!base || !cfg.kibana) return undefined;
  const g = `(time:(from:${range},to:now))`;
  const a = `(dataSource:(dataViewId:${rison(cfg.kibana.data_view)},type:dataView),query:(language:kuery,query:${rison(query)}))`;
  return `${base}/app/discover#/?_g=${encodeURIComponent(g)}&_a=${encodeURIComponent(a)}`;
}

/** Every log record of a project: its status changes and its deployments. */
export const kibanaProject = (cfg: DashboardConfig, project: string): string | undefined =>
  kibanaDiscover(cfg, `project.name : ${kql(project)} or deployment.project : ${kql(project)}`);

export const kibanaRun = (cfg: DashboardConfig, runId: string): string | undefined => kibanaDiscover(cfg, `deployment.id : ${kql(runId)}`, 'now-30d');

const matcherValue = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Alertmanager's "new silence" form, prefilled with the alert's name and project. */
export function silenceLink(cfg: DashboardConfig, labels: Readonly<Record<string, string>>): string | undefined {
  const base = publicUrl(cfg.alertmanager);
  if (!base) return undefined;
  const keys = ['alertname', 'project'].filter((k) => labels[k] !== undefined);
  const filter = `{${keys.map((k) => `${k}=${matcherValue(labels[k] as string)}`).join(',')}}`;
  return `${base}/#/silences/new?filter=${encodeURIComponent(filter)}`;
}
