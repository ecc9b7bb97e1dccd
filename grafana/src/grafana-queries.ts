/**
 * The Prometheus requests Grafana makes for a board, without Grafana: every panel target, variable
 * and annotation of a board's JSON, with the variables, $__interval, $__rate_interval, $__range and
 * the step worked out as Grafana 11 does (rangeutil.calculateInterval and the Prometheus
 * datasource's adjustInterval). Used by the board test and the 7-day benchmark.
 */

export interface BoardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: VariableJson[] };
  annotations: { list: AnnotationJson[] };
}

export interface PanelJson {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr?: string; instant?: boolean; range?: boolean; query?: string }[];
  fieldConfig?: { defaults?: { unit?: string } };
  maxDataPoints?: number;
  interval?: string;
}

export interface VariableJson {
  type: string;
  name: string;
  query?: string | { query?: string };
  datasource?: { type?: string; uid?: string };
  includeAll?: boolean;
  allValue?: string;
  regex?: string;
}

export interface AnnotationJson {
  name: string;
  expr?: string;
  step?: string;
  datasource?: { type?: string; uid?: string };
}

export interface TimeRange {
  /** Unix seconds. */
  readonly from: number;
  readonly to: number;
}

/** A request as Grafana's Prometheus datasource would send it. */
export interface PromRequest {
  readonly board: string;
  /** "<panel title> / <refId>", "variable <name>" or "annotation <name>". */
  readonly what: string;
  readonly kind: 'range' | 'instant' | 'label_values';
  readonly expr: string;
  readonly start: number;
  readonly end: number;
  readonly step: number;
  /** For label_values: the label whose values are wanted. */
  readonly label?: string;
  /** The panel's description says "Only when ...": an empty result is expected there. */
  readonly onlyWhen?: string;
}

/** Grafana's rangeutil.roundInterval, in milliseconds. */
export function roundInterval(ms: number): number {
  const table: [number, number][] = [
    [15, 10], [35, 20], [75, 50], [150, 100], [350, 200], [750, 500], [1500, 1000], [3500, 2000],
    [7500, 5000], [12500, 10000], [17500, 15000], [25000, 20000], [45000, 30000], [90000, 60000],
    [210000, 120000], [450000, 300000], [750000, 600000], [1050000, 900000], [1500000, 1200000],
    [2700000, 1800000], [5400000, 3600000], [9000000, 7200000], [16200000, 10800000],
    [32400000, 21600000], [86400000, 43200000], [604800000, 86400000], [1814400000, 604800000],
    [3628800000, 2592000000],
  ];
  for (const [below, value] of table) if (ms < below) return value;
  return 31536000000;
}

/** Panel width in pixels on a 1920 px screen: maxDataPoints when the panel sets none. */
export function panelPixels(w: number): number {
  return Math.round((w / 24) * 1840);
}

/** Grafana's default "Min step" of a Prometheus annotation (ANNOTATION_QUERY_STEP_DEFAULT). */
export const ANNOTATION_STEP_DEFAULT = '60s';
/** The screen width in pixels: an annotation query's maxDataPoints is the browser's window.innerWidth. */
export const SCREEN_PIXELS = 1920;

/** "90s", "1m", "2h", "1d" → seconds. */
export function durationSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new Error(`not a Grafana duration: ${text}`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

/**
 * The step of a Prometheus annotation query, as Grafana 11 computes it: the frontend
 * (executeAnnotationQuery) sends maxDataPoints = window.innerWidth, and the Prometheus datasource
 * (prepareAnnotation) makes the annotation's `step` the query's "Min step" (interval); the backend
 * (pkg/promlib/models/query.go calculatePrometheusInterval, intervalv2.Calculate) then takes
 * range / maxDataPoints, the min step when that is below it, else that rounded by the interval table,
 * and at least range / 11000 rounded; start and end are aligned down to the step (AlignTimeRange).
 */
export function annotationStep(range: TimeRange, minStepSeconds: number, maxDataPoints = SCREEN_PIXELS): number {
  const seconds = range.to - range.from;
  const raw = seconds / maxDataPoints;
  const calculated = raw < minStepSeconds ? minStepSeconds : roundInterval(raw * 1000) / 1000;
  const safe = roundInterval((seconds / 11000) * 1000) / 1000;
  return Math.max(calculated, safe);
}

export interface Intervals {
  /** $__interval in seconds. */
  readonly interval: number;
  /** $__rate_interval in seconds. */
  readonly rateInterval: number;
  /** The query_range step in seconds. */
  readonly step: number;
}

/**
 * calculateInterval(range, maxDataPoints, minInterval = datasource timeInterval), then the
 * Prometheus datasource: step at least range/11000 (Prometheus refuses more than 11 000 points),
 * $__rate_interval = max($__interval + scrape interval, 4 × scrape interval).
 */
export function intervals(range: TimeRange, maxDataPoints: number, scrapeSeconds: number): Intervals {
  const rangeMs = (range.to - range.from) * 1000;
  const raw = roundInterval(rangeMs / maxDataPoints) / 1000;
  const interval = Math.max(raw, scrapeSeconds);
  const step = Math.max(interval, Math.ceil((range.to - range.from) / 11000));
  const rateInterval = Math.max(interval + scrapeSeconds, 4 * scrapeSeconds);
  return { interval, rateInterval, step };
}

function seconds(s: number): string {
  return Number.isInteger(s) ? `${s}s` : `${Math.round(s * 1000)}ms`;
}

/** Grafana's regex formatting of a variable value in a PromQL matcher (multi values joined with |). */
export function regexValue(values: readonly string[]): string {
  const escaped = values.map((v) => v.replace(/[\\^$*+?.()|[\]{}]/g, '\\\\$&'));
  return escaped.length === 1 ? (escaped[0] as string) : `(${escaped.join('|')})`;
}

/** Replaces $var, ${var} and the built-in interval and range variables. */
export function interpolate(expr: string, vars: Readonly<Record<string, string>>, iv: Intervals, range: TimeRange): string {
  const rangeS = Math.round(range.to - range.from);
  const builtins: Record<string, string> = {
    __rate_interval: seconds(iv.rateInterval),
    __interval: seconds(iv.interval),
    __interval_ms: String(Math.round(iv.interval * 1000)),
    __range: `${rangeS}s`,
    __range_s: String(rangeS),
    __range_ms: String(rangeS * 1000),
  };
  const all = { ...builtins, ...vars };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (m: string, a?: string, b?: string) => {
    const name = (a ?? b) as string;
    return name in all ? (all[name] as string) : m;
  });
}

/** The sentence "Only when <situation>." of a description, if any. */
export function onlyWhen(description: string | undefined): string | undefined {
  return /\bOnly when ([^.]+)\./.exec(description ?? '')?.[1];
}

export function variableQuery(v: VariableJson): string {
  return typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
}

/** `label_values(selector, label)` → [selector, label]; Grafana asks /api/v1/label/<label>/values?match[]=selector. */
export function parseLabelValues(query: string): { selector: string; label: string } {
  const m = /^label_values\((?:(.*),\s*)?(\w+)\)$/s.exec(query.trim());
  if (!m) throw new Error(`not a label_values() query: ${query}`);
  return { selector: (m[1] ?? '').trim(), label: m[2] as string };
}

export function isPrometheus(ds: { type?: string } | undefined): boolean {
  return ds?.type === 'prometheus';
}

/** `query_result(expr)` → expr; Grafana runs it as an instant query at the end of the range. */
export function parseQueryResult(query: string): string | undefined {
  return /^query_result\((.*)\)$/s.exec(query.trim())?.[1];
}

/** Grafana's text of one query_result sample: name{a="1",b="2"} value timestamp_ms. */
export function queryResultText(sample: { metric: Record<string, string>; value: [number, string] }): string {
  const { __name__: name = '', ...labels } = sample.metric;
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}} ${sample.value[1]} ${sample.value[0] * 1000}`;
}

/** Applies a variable's regex (/.../ with optional named groups value and text) as Grafana does. */
export function applyVariableRegex(texts: readonly string[], regex: string | undefined): { value: string; text: string }[] {
  if (!regex) return texts.map((t) => ({ value: t, text: t }));
  const m = /^\/(.*)\/([gimsuy]*)$/s.exec(regex);
  const re = new RegExp(m?.[1] ?? regex, m?.[2] ?? '');
  const out: { value: string; text: string }[] = [];
  for (const t of texts) {
    const hit = re.exec(t);
    if (!hit) continue;
    const value = hit.groups?.value ?? hit[1] ?? hit[0];
    out.push({ value, text: hit.groups?.text ?? value });
  }
  return out;
}

/** Every Prometheus request of a board, given the variable values (regex-formatted already). */
export function boardRequests(b: BoardJson, vars: Readonly<Record<string, string>>, range: TimeRange, scrapeSeconds: number): PromRequest[] {
  const out: PromRequest[] = [];
  for (const v of b.templating.list.filter((x) => x.type === 'query' && isPrometheus(x.datasource))) {
    const iv = intervals(range, 1000, scrapeSeconds);
    const result = parseQueryResult(variableQuery(v));
    if (result !== undefined) {
      out.push({ board: b.uid, what: `variable ${v.name}`, kind: 'instant', expr: interpolate(result, vars, iv, range), start: range.to, end: range.to, step: 0 });
      continue;
    }
    const { selector, label } = parseLabelValues(variableQuery(v));
    out.push({ board: b.uid, what: `variable ${v.name}`, kind: 'label_values', expr: interpolate(selector, vars, iv, range), label, start: range.from, end: range.to, step: 0 });
  }
  for (const a of b.annotations.list.filter((x) => isPrometheus(x.datasource) && x.expr)) {
    const iv = intervals(range, SCREEN_PIXELS, scrapeSeconds);
    const step = annotationStep(range, durationSeconds(a.step ?? ANNOTATION_STEP_DEFAULT));
    out.push({ board: b.uid, what: `annotation ${a.name}`, kind: 'range', expr: interpolate(a.expr as string, vars, iv, range), start: Math.floor(range.from / step) * step, end: Math.floor(range.to / step) * step, step, onlyWhen: 'a run finished in the range' });
  }
  for (const p of b.panels.filter((x) => x.type !== 'row' && isPrometheus(x.datasource))) {
    const iv = intervals(range, p.maxDataPoints ?? panelPixels(p.gridPos.w), scrapeSeconds);
    const when = onlyWhen(p.description);
    for (const t of p.targets ?? []) {
      const expr = interpolate(t.expr ?? '', vars, iv, range);
      const what = `${p.title} / ${t.refId}`;
      if (t.instant) out.push({ board: b.uid, what, kind: 'instant', expr, start: range.to, end: range.to, step: 0, ...(when ? { onlyWhen: when } : {}) });
      // Grafana aligns the range to the step so that refreshes hit the same points.
      else out.push({ board: b.uid, what, kind: 'range', expr, start: Math.floor(range.from / iv.step) * iv.step, end: Math.floor(range.to / iv.step) * iv.step, step: iv.step, ...(when ? { onlyWhen: when } : {}) });
    }
  }
  return out;
}

export interface PromAnswer {
  readonly series: number;
  readonly error?: string;
}

/** Sends one request to Prometheus as Grafana would (POST form, like httpMethod: POST). */
export async function send(prometheusUrl: string, r: PromRequest): Promise<PromAnswer> {
  const form = new URLSearchParams();
  let path: string;
  if (r.kind === 'label_values') {
    path = `/api/v1/label/${encodeURIComponent(r.label ?? '')}/values`;
    if (r.expr) form.append('match[]', r.expr);
    form.append('start', String(r.start));
    form.append('end', String(r.end));
    const res = await fetch(`${prometheusUrl}${path}?${form.toString()}`);
    const body = (await res.json()) as { status: string; error?: string; data?: string[] };
    return body.status === 'success' ? { series: body.data?.length ?? 0 } : { series: 0, error: body.error ?? `HTTP ${res.status}` };
  }
  form.append('query', r.expr);
  if (r.kind === 'range') {
    path = '/api/v1/query_range';
    form.append('start', String(r.start));
    form.append('end', String(r.end));
    form.append('step', String(r.step));
  } else {
    path = '/api/v1/query';
    form.append('time', String(r.end));
  }
  const res = await fetch(`${prometheusUrl}${path}`, { method: 'POST', body: form });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  return body.status === 'success' ? { series: body.data?.result.length ?? 0 } : { series: 0, error: body.error ?? `HTTP ${res.status}` };
}

/**
 * The values Grafana would give the board's variables on opening: each query variable in order
 * (later ones may use earlier ones), "All" (its allValue) where allowed, else the first value
 * sorted; datasource variables are left to the caller (they do not appear in expressions).
 */
export async function resolveVariables(prometheusUrl: string, b: BoardJson, range: TimeRange, scrapeSeconds: number): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  const iv = intervals(range, 1000, scrapeSeconds);
  for (const v of b.templating.list) {
    if (v.type === 'textbox' || v.type === 'constant') vars[v.name] = variableQuery(v);
    if (v.type !== 'query' || !isPrometheus(v.datasource)) continue;
    if (v.includeAll && v.allValue !== undefined) {
      vars[v.name] = v.allValue;
      continue;
    }
    const values = applyVariableRegex(await variableTexts(prometheusUrl, v, vars, iv, range), v.regex).map((o) => o.value);
    vars[v.name] = values.length > 0 ? regexValue([[...values].sort()[0] as string]) : '';
  }
  return vars;
}

/** The texts a query variable's query returns, before its regex. */
async function variableTexts(prometheusUrl: string, v: VariableJson, vars: Readonly<Record<string, string>>, iv: Intervals, range: TimeRange): Promise<string[]> {
  const result = parseQueryResult(variableQuery(v));
  if (result !== undefined) {
    const form = new URLSearchParams({ query: interpolate(result, vars, iv, range), time: String(range.to) });
    const res = await fetch(`${prometheusUrl}/api/v1/query`, { method: 'POST', body: form });
    const samples = ((await res.json()) as { data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data?.result ?? [];
    return samples.map(queryResultText);
  }
  const { selector, label } = parseLabelValues(variableQuery(v));
  const form = new URLSearchParams({ start: String(range.from), end: String(range.to) });
  if (selector) form.append('match[]', interpolate(selector, vars, iv, range));
  const res = await fetch(`${prometheusUrl}/api/v1/label/${encodeURIComponent(label)}/values?${form.toString()}`);
  return ((await res.json()) as { data?: string[] }).data ?? [];
}
