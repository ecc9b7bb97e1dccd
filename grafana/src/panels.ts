/**
 * Shared panel helpers: every board builds its panels through these, so each panel gets the
 * datasource variable, a unit, a description and a size the same way. A panel that shows data only
 * in some situations says so in its description as "Only when <situation>." — the board test reads
 * that sentence and does not expect data from such a panel.
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { PROM } from './datasources';

/** A PromQL query and its legend; a bare string is a query without a legend. */
export type Target = string | { readonly expr: string; readonly legend: string };

export interface PanelOptions {
  /** What the panel answers; "Only when <situation>." if it can be empty on a healthy system. */
  readonly description: string;
  readonly w?: number;
  readonly h?: number;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** Steps above the base colour: [value, colour]. */
  readonly thresholds?: readonly (readonly [number, string])[];
  /** The colour below the first threshold (green unless said). */
  readonly base?: string;
  readonly mappings?: dashboard.ValueMapping[];
  /** Query options → Max data points: fewer points (a longer step) than the panel's pixels. */
  readonly maxDataPoints?: number;
}

/**
 * Max data points of panels with a line per project or workflow: a week of 100 projects at the
 * panel's pixel width is 100 series × ~1,000 steps for Prometheus to evaluate; 300 points is a
 * point every 35 minutes over a week, every 5 minutes over a day.
 */
export const PER_PROJECT_POINTS = 300;

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function refId(i: number): string {
  return REF_IDS[i] ?? `Q${i}`;
}

function promQuery(t: Target, i: number, instant: boolean, asTable = false): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder()
    .datasource(PROM)
    .refId(refId(i))
    .expr(typeof t === 'string' ? t : t.expr)
    .editorMode(prometheus.QueryEditorMode.Code);
  if (typeof t !== 'string') q.legendFormat(t.legend);
  if (instant) q.instant();
  else q.range();
  if (asTable) q.format(prometheus.PromQueryFormat.Table);
  return q;
}

function thresholdsOf(o: PanelOptions): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: o.base ?? 'green' },
    ...(o.thresholds ?? []).map(([value, color]) => ({ value, color })),
  ]);
}

interface Common<B> {
  title(t: string): B;
  description(d: string): B;
  datasource(d: dashboard.DataSourceRef): B;
  unit(u: string): B;
  height(h: number): B;
  span(w: number): B;
  min(n: number): B;
  max(n: number): B;
  decimals(n: number): B;
  thresholds(t: dashboard.ThresholdsConfigBuilder): B;
  mappings(m: dashboard.ValueMapping[]): B;
  maxDataPoints(n: number): B;
}

/** Title, description, datasource, unit, size, limits, thresholds: what every panel sets alike. */
function base<B extends Common<B>>(b: B, title: string, unit: string, o: PanelOptions, w: number, h: number): B {
  b.title(title).description(o.description).datasource(PROM).unit(unit).height(o.h ?? h).span(o.w ?? w).thresholds(thresholdsOf(o));
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  if (o.decimals !== undefined) b.decimals(o.decimals);
  if (o.mappings) b.mappings(o.mappings);
  if (o.maxDataPoints !== undefined) b.maxDataPoints(o.maxDataPoints);
  return b;
}

export interface TimeseriesOptions extends PanelOptions {
  readonly stack?: boolean;
  readonly bars?: boolean;
}

/** A time series panel of range queries, legend as a table with mean and max. */
export function timeseriesPanel(title: string, unit: string, targets: readonly Target[], o: TimeseriesOptions): timeseries.PanelBuilder {
  const p = base(new timeseries.PanelBuilder(), title, unit, o, 12, 8)
    .targets(targets.map((t, i) => promQuery(t, i, false)))
    .fillOpacity(o.stack || o.bars ? 60 : 10)
    .lineWidth(1)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Bottom).showLegend(true).calcs(['mean', 'max']))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (o.stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.bars) p.drawStyle(common.GraphDrawStyle.Bars);
  return p;
}

/** A single value of an instant query (the last value over the board's range). */
export function statPanel(title: string, unit: string, targets: readonly Target[], o: PanelOptions): stat.PanelBuilder {
  return base(new stat.PanelBuilder(), title, unit, o, 4, 4)
    .targets(targets.map((t, i) => promQuery(t, i, true)))
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** Horizontal bars, one per series of an instant query, e.g. availability per project. */
export function barsPanel(title: string, unit: string, targets: readonly Target[], o: PanelOptions): bargauge.PanelBuilder {
  return base(new bargauge.PanelBuilder(), title, unit, o, 12, 8)
    .targets(targets.map((t, i) => promQuery(t, i, true)))
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .orientation(common.VizOrientation.Horizontal)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** A state timeline of range queries (0/1 states through value mappings). */
export function timelinePanel(title: string, unit: string, targets: readonly Target[], o: PanelOptions): statetimeline.PanelBuilder {
  return base(new statetimeline.PanelBuilder(), title, unit, o, 24, 8)
    .targets(targets.map((t, i) => promQuery(t, i, false)))
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .fillOpacity(80);
}

export interface Column {
  readonly title: string;
  readonly unit: string;
  readonly expr: string;
  readonly decimals?: number;
  readonly thresholds?: readonly (readonly [number, string])[];
  readonly base?: string;
  readonly mappings?: dashboard.ValueMapping[];
}

/**
 * A table with one row per label set and one column per instant query, joined on their labels
 * (Grafana's "merge" transformation); each value column gets its own title and unit.
 */
export function tablePanel(title: string, unit: string, columns: readonly Column[], hidden: readonly string[], o: PanelOptions): table.PanelBuilder {
  const p = base(new table.PanelBuilder(), title, unit, o, 24, 8)
    .targets(columns.map((c, i) => promQuery(c.expr, i, true, true)))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { excludeByName: Object.fromEntries(['Time', ...hidden].map((h) => [h, true])) } });
  columns.forEach((c, i) => {
    const props: dashboard.DynamicConfigValue[] = [
      { id: 'displayName', value: c.title },
      { id: 'unit', value: c.unit },
    ];
    if (c.decimals !== undefined) props.push({ id: 'decimals', value: c.decimals });
    if (c.mappings) props.push({ id: 'mappings', value: c.mappings });
    if (c.thresholds) {
      props.push({ id: 'thresholds', value: thresholdsOf({ description: '', thresholds: c.thresholds, ...(c.base ? { base: c.base } : {}) }).build() });
      props.push({ id: 'custom.cellOptions', value: { type: 'color-text' } });
    }
    p.overrideByName(columns.length === 1 ? 'Value' : `Value #${refId(i)}`, props);
  });
  return p;
}

/** A row header; the panels added after it belong to it until the next row. */
export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title).collapsed(false);
}

/** Value mappings for 0/1 gauges: 0 → `zero` (red), 1 → `one` (green). */
export function upDown(one: string, zero: string): dashboard.ValueMapping[] {
  return [
    {
      type: dashboard.MappingType.ValueToText,
      options: { '0': { text: zero, color: 'red', index: 0 }, '1': { text: one, color: 'green', index: 1 } },
    },
  ];
}
