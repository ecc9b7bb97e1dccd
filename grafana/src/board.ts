/**
 * What every board has alike: the Prometheus datasource variable, the Kibana address, the
 * deployment annotations, links to the other boards (keeping the time range and the variables)
 * and to Kibana, a 24 h default range and a shared crosshair.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { ELASTICSEARCH_UID, LOGS_VAR, PROM, PROM_VAR, PROMETHEUS_UID } from './datasources';

export const TAG = 'vigil';
export const KIBANA_VAR = 'kibana';
/** Where Kibana answers for the people opening the boards (docker-compose publishes it here). */
export const KIBANA_DEFAULT_URL = 'http://localhost:5601';
/** The Kibana dashboard's id (elasticsearch/kibana/vigil-dashboard.ndjson). */
export const KIBANA_DASHBOARD_ID = 'vigil-overview';

export const BOARD_UIDS = {
  hosts: 'vigil-hosts',
  projects: 'vigil-projects',
  deployments: 'vigil-deployments',
  stack: 'vigil-stack',
} as const;

/**
 * The stack's recording rule of run completions (prometheus/rules/deployments.yml): the last run's
 * completion time per project, workflow and conclusion, present only in the hour after the run.
 */
export const ANNOTATION_RULE = 'project_workflow_conclusion:deployment_last_run_timestamp_seconds:recent1h';

/**
 * Deployments as annotations: one mark per finished run, at its completion time (the value of
 * deployment_last_run_timestamp_seconds, not the scrape time), titled by project and workflow and
 * tagged with the conclusion. `projectFilter` narrows it to the board's project variable. It reads
 * the sparse ANNOTATION_RULE rather than the gauge: on a week, a few samples a run instead of every
 * sample of every workflow (the bench measured it on every board).
 */
export function deploymentAnnotation(projectFilter = ''): cog.Builder<dashboard.AnnotationQuery> {
  const expr = `${ANNOTATION_RULE}${projectFilter ? `{${projectFilter}}` : ''} * 1000`;
  const annotation = new dashboard.AnnotationQueryBuilder()
    .name('Deployments')
    .datasource(PROM)
    .enable(true)
    .iconColor('#8F3BB8')
    .expr(expr);
  // Grafana's Prometheus annotation fields that the SDK's generic AnnotationQuery does not model.
  return {
    build: () => ({
      ...annotation.build(),
      step: '1m',
      titleFormat: 'Deployment {{project}} / {{workflow}}',
      textFormat: '{{conclusion}}',
      tagKeys: 'project,conclusion',
      useValueForTime: true,
    }),
  };
}

function prometheusVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(PROM_VAR)
    .label('Prometheus')
    .type('prometheus')
    .current({ selected: true, text: 'Prometheus', value: PROMETHEUS_UID });
}

/** The Elasticsearch datasource variable, for boards with log panels. */
export function logsVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(LOGS_VAR)
    .label('Logs')
    .type('elasticsearch')
    .current({ selected: true, text: 'Elasticsearch', value: ELASTICSEARCH_UID });
}

function kibanaVariable(): dashboard.TextBoxVariableBuilder {
  return new dashboard.TextBoxVariableBuilder(KIBANA_VAR)
    .label('Kibana')
    .description('Kibana address for the links to the logs')
    .defaultValue(KIBANA_DEFAULT_URL)
    .current({ selected: true, text: KIBANA_DEFAULT_URL, value: KIBANA_DEFAULT_URL })
    .hide(dashboard.VariableHide.HideVariable);
}

/** A `label_values` query variable over the Prometheus datasource variable. */
export function queryVariable(name: string, label: string, query: string, opts: { all?: boolean; hide?: boolean } = {}): dashboard.QueryVariableBuilder {
  const v = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(PROM)
    .query(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalCaseInsensitiveAsc);
  if (opts.all) v.multi(true).includeAll(true).allValue('.*');
  if (opts.hide) v.hide(dashboard.VariableHide.HideVariable);
  return v;
}

/**
 * The host picker: one entry per host, shown by node_uname_info's nodename, valued by the `host`
 * target label that every series, recording rule and alert carries (so var-host=<host> from an
 * alert selects it). Grafana's regex named groups split the node_uname_info series into the two.
 */
export function hostVariable(): dashboard.QueryVariableBuilder {
  return queryVariable('host', 'Host', 'query_result(max by (host, nodename) (node_uname_info))').regex('/host="(?<value>[^"]+)",nodename="(?<text>[^"]+)"/');
}

function links(): dashboard.DashboardLinkBuilder[] {
  return [
    new dashboard.DashboardLinkBuilder('Vigil boards')
      .type(dashboard.DashboardLinkType.Dashboards)
      .tags([TAG])
      .asDropdown(false)
      .includeVars(true)
      .keepTime(true),
    new dashboard.DashboardLinkBuilder('Logs in Kibana')
      .type(dashboard.DashboardLinkType.Link)
      .url(`\${${KIBANA_VAR}}/app/dashboards#/view/${KIBANA_DASHBOARD_ID}`)
      .icon('doc')
      .targetBlank(true)
      .tooltip('The Vigil dashboard in Kibana: deployments, failed steps, project status changes, errors'),
  ];
}

/** A board with the shared frame; the caller adds its own variables (after these) and panels. */
export function board(uid: string, title: string, description: string, annotationFilter = ''): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .withVariable(prometheusVariable())
    .withVariable(kibanaVariable())
    .annotation(deploymentAnnotation(annotationFilter))
    .links(links());
}
