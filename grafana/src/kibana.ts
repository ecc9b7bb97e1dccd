/**
 * The Kibana dashboard "Vigil" as saved objects (importable NDJSON, written by
 * `npm run grafana:build` to elasticsearch/kibana/vigil-visualizations.ndjson): deployments by result
 * over time, errors and warnings by dataset (Lens), and the saved searches of failed deployment
 * steps and project status changes from vigil-saved-objects.ndjson.
 */
import { KIBANA_DASHBOARD_ID } from './board';

/** The data view of vigil-saved-objects.ndjson (logs-vigil.*). */
export const DATA_VIEW_ID = 'vigil-logs';

export const DEPLOYMENT_COMPLETIONS = 'event.dataset : "vigil.deployments" and event.action : ("deployment_completed" or "workflow_run.completed" or "deployment_status.created")';
export const ERRORS_AND_WARNINGS = 'log.level : ("error" or "warn")';

interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: { id: string; name: string; type: string }[];
  coreMigrationVersion: string;
  typeMigrationVersion: string;
  managed: boolean;
}

/** A stacked bar chart of record counts over @timestamp, split by the top values of `splitField`. */
function lensBars(id: string, title: string, description: string, query: string, splitField: string, splitLabel: string): SavedObject {
  const layer = {
    columns: {
      time: { label: '@timestamp', dataType: 'date', operationType: 'date_histogram', sourceField: '@timestamp', isBucketed: true, params: { interval: 'auto', includeEmptyRows: true } },
      split: { label: splitLabel, dataType: 'string', operationType: 'terms', sourceField: splitField, isBucketed: true, params: { size: 10, orderBy: { type: 'column', columnId: 'count' }, orderDirection: 'desc', otherBucket: true, missingBucket: false } },
      count: { label: 'Records', dataType: 'number', operationType: 'count', sourceField: '___records___', isBucketed: false, params: { emptyAsNull: true } },
    },
    columnOrder: ['split', 'time', 'count'],
    incompleteColumns: {},
  };
  return {
    id,
    type: 'lens',
    attributes: {
      title,
      description,
      visualizationType: 'lnsXY',
      state: {
        datasourceStates: { formBased: { layers: { layer: layer } } },
        visualization: {
          preferredSeriesType: 'bar_stacked',
          legend: { isVisible: true, position: 'right' },
          valueLabels: 'hide',
          layers: [{ layerId: 'layer', layerType: 'data', seriesType: 'bar_stacked', xAccessor: 'time', accessors: ['count'], splitAccessor: 'split' }],
        },
        query: { language: 'kuery', query },
        filters: [],
      },
    },
    references: [{ id: DATA_VIEW_ID, name: 'indexpattern-datasource-layer-layer', type: 'index-pattern' }],
    coreMigrationVersion: '8.8.0',
    typeMigrationVersion: '8.9.0',
    managed: false,
  };
}

interface PanelRef {
  readonly id: string;
  readonly type: 'lens' | 'search';
  readonly grid: { x: number; y: number; w: number; h: number };
}

function dashboardObject(panels: readonly PanelRef[]): SavedObject {
  const panelsJSON = panels.map((p, i) => ({
    type: p.type,
    gridData: { ...p.grid, i: `panel_${i}` },
    panelIndex: `panel_${i}`,
    embeddableConfig: { enhancements: {} },
    panelRefName: `panel_panel_${i}`,
  }));
  return {
    id: KIBANA_DASHBOARD_ID,
    type: 'dashboard',
    attributes: {
      title: 'Vigil',
      description: 'Deployments by result over time, failed deployment steps, project status changes, errors and warnings by dataset. Linked from every Grafana board.',
      panelsJSON: JSON.stringify(panelsJSON),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, syncCursor: true, syncTooltips: false, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: 'now-7d',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60000 },
      version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
    },
    references: panels.map((p, i) => ({ id: p.id, name: `panel_${i}:panel_panel_${i}`, type: p.type })),
    coreMigrationVersion: '8.8.0',
    typeMigrationVersion: '8.9.0',
    managed: false,
  };
}

/** The saved objects, in import order (visualizations before the dashboard that refers to them). */
export function kibanaObjects(): SavedObject[] {
  const byResult = lensBars('vigil-deployments-by-result', 'Deployments by result', 'Finished runs and deployments over time, by conclusion.', DEPLOYMENT_COMPLETIONS, 'deployment.conclusion', 'Result');
  const errors = lensBars('vigil-errors-by-dataset', 'Errors and warnings by dataset', 'Error and warning records over time, by event.dataset.', ERRORS_AND_WARNINGS, 'event.dataset', 'Dataset');
  const dashboard = dashboardObject([
    { id: byResult.id, type: 'lens', grid: { x: 0, y: 0, w: 24, h: 12 } },
    { id: errors.id, type: 'lens', grid: { x: 24, y: 0, w: 24, h: 12 } },
    { id: 'vigil-failed-deployment-steps', type: 'search', grid: { x: 0, y: 12, w: 24, h: 15 } },
    { id: 'vigil-project-status-changes', type: 'search', grid: { x: 24, y: 12, w: 24, h: 15 } },
  ]);
  return [byResult, errors, dashboard];
}

/** Sorts after vigil-saved-objects.ndjson: `npm run kibana:import` imports files in name order, and the dashboard refers to its saved searches. */
export const KIBANA_DASHBOARD_FILE = 'vigil-visualizations.ndjson';

export function renderKibana(): string {
  return `${kibanaObjects().map((o) => JSON.stringify(o)).join('\n')}\n`;
}
