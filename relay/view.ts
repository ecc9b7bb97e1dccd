import type { Language } from './config';
import type { Alert, Payload } from './payload';
import { formatDuration, formatTime, isZeroTime } from './time-format';

/** What a template sees for one alert: every value already formatted, nothing escaped. */
export interface AlertView {
  readonly status: 'firing' | 'resolved';
  readonly firing: boolean;
  readonly alertname: string;
  readonly severity: string;
  /** "project", "host" or "instance": what `subject` names. */
  readonly subjectKind: string;
  readonly subject: string;
  readonly summary: string;
  readonly description: string;
  readonly startsAt: string;
  readonly endsAt: string;
  /** How long it fired: until now while firing, until endsAt once resolved. */
  readonly lasted: string;
  readonly labels: readonly { readonly name: string; readonly value: string }[];
  readonly dashboardURL: string;
  readonly runbookURL: string;
  readonly silenceURL: string;
  readonly generatorURL: string;
}

export interface GroupView {
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  /** The alerts shown (the first ones when the message was cut to the robot's size). */
  readonly alerts: readonly AlertView[];
}

export interface MessageView {
  readonly lang: Language;
  readonly robot: 'dingtalk' | 'wecom';
  readonly title: string;
  /** More than one notification merged because the robot's rate limit was reached. */
  readonly digest: boolean;
  readonly notifications: number;
  readonly firing: number;
  readonly resolved: number;
  readonly groups: readonly GroupView[];
  /** Alerts left out to fit the robot's size limit ("and N more"). */
  readonly omitted: number;
  /** Mention tokens written into the text ("@13800000000" for DingTalk, "<@userid>" for WeCom). */
  readonly mentions: readonly string[];
  readonly keyword: string;
}

export interface ViewOptions {
  readonly lang: Language;
  readonly robot: 'dingtalk' | 'wecom';
  readonly timeZone: string;
  readonly hiddenLabels: readonly string[];
  readonly keyword?: string;
  readonly mentions: readonly string[];
  readonly now: number;
}

/** Longest annotation text kept per alert, so that one alert cannot fill a whole message. */
const MAX_TEXT = 1500;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function escapeMatcherValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Alertmanager's "new silence" page with the alert's labels as matchers. */
export function silenceUrl(externalURL: string, labels: Readonly<Record<string, string>>): string {
  if (!externalURL) return '';
  const matchers = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeMatcherValue(labels[k] as string)}"`)
    .join(',');
  return `${externalURL.replace(/\/+$/, '')}/#/silences/new?filter=${encodeURIComponent(`{${matchers}}`)}`;
}

function subjectOf(labels: Readonly<Record<string, string>>): { kind: string; value: string } {
  for (const kind of ['project', 'host', 'instance']) {
    const value = labels[kind];
    if (value) return { kind, value };
  }
  return { kind: '', value: '' };
}

function alertView(a: Alert, externalURL: string, opts: ViewOptions): AlertView {
  const starts = Date.parse(a.startsAt);
  const ends = Date.parse(a.endsAt);
  const resolved = a.status === 'resolved' && !isZeroTime(ends);
  const subject = subjectOf(a.labels);
  const hidden = new Set(opts.hiddenLabels);
  return {
    status: a.status,
    firing: a.status === 'firing',
    alertname: a.labels.alertname ?? '',
    severity: a.labels.severity ?? '',
    subjectKind: subject.kind,
    subject: subject.value,
    summary: clip(a.annotations.summary ?? ''),
    description: clip(a.annotations.description ?? ''),
    startsAt: formatTime(starts, opts.timeZone),
    endsAt: resolved ? formatTime(ends, opts.timeZone) : '',
    lasted: formatDuration((resolved ? ends : opts.now) - starts, opts.lang),
    labels: Object.keys(a.labels)
      .filter((k) => !hidden.has(k))
      .sort()
      .map((name) => ({ name, value: a.labels[name] as string })),
    dashboardURL: a.annotations.dashboard_url ?? '',
    runbookURL: a.annotations.runbook_url ?? '',
    silenceURL: a.status === 'firing' ? silenceUrl(externalURL, a.labels) : '',
    generatorURL: a.generatorURL,
  };
}

/** All alerts of the notifications, each with its group, in order. */
export interface Prepared {
  readonly groups: readonly { readonly payload: Payload; readonly alerts: readonly AlertView[] }[];
  readonly total: number;
  readonly base: Omit<MessageView, 'groups' | 'omitted'>;
}

const STATUS_WORDS: Record<Language, { firing: string; resolved: string; digest: string }> = {
  en: { firing: 'FIRING', resolved: 'RESOLVED', digest: 'DIGEST' },
  zh: { firing: '告警', resolved: '恢复', digest: '汇总' },
};

export function prepare(payloads: readonly Payload[], opts: ViewOptions): Prepared {
  const groups = payloads.map((payload) => ({ payload, alerts: payload.alerts.map((a) => alertView(a, payload.externalURL, opts)) }));
  const all = groups.flatMap((g) => g.alerts);
  const firing = all.filter((a) => a.firing).length;
  const words = STATUS_WORDS[opts.lang];
  const digest = payloads.length > 1;
  const first = payloads[0];
  const name = digest ? '' : ` ${first?.groupLabels.alertname ?? first?.commonLabels.alertname ?? all[0]?.alertname ?? ''}`.trimEnd();
  const head = digest ? `${words.digest}:${payloads.length}` : first?.status === 'firing' ? `${words.firing}:${firing}` : words.resolved;
  const title = `[${head}]${name}${opts.keyword ? ` ${opts.keyword}` : ''}`;
  return {
    groups,
    total: all.length,
    base: {
      lang: opts.lang,
      robot: opts.robot,
      title,
      digest,
      notifications: payloads.length,
      firing,
      resolved: all.length - firing,
      mentions: opts.mentions,
      keyword: opts.keyword ?? '',
    },
  };
}

/** The view with only the first `shown` alerts (across groups) kept. */
export function viewWith(p: Prepared, shown: number): MessageView {
  let left = shown;
  const groups: GroupView[] = [];
  for (const g of p.groups) {
    const alerts = g.alerts.slice(0, Math.max(0, left));
    left -= alerts.length;
    if (alerts.length === 0 && groups.length > 0) continue;
    groups.push({ status: g.payload.status, receiver: g.payload.receiver, groupLabels: g.payload.groupLabels, externalURL: g.payload.externalURL, alerts });
  }
  return { ...p.base, groups, omitted: p.total - Math.min(shown, p.total) };
}
