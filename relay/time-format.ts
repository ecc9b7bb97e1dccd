import type { Language } from './config';

/** Alertmanager's zero time ("0001-01-01T00:00:00Z"): an alert still firing has it as endsAt. */
export function isZeroTime(ms: number): boolean {
  return !Number.isFinite(ms) || ms <= 0;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** "2026-11-30 06:30:00 (UTC+08:00)": a time in a time zone, the same in every language. */
export function formatTime(ms: number, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT$/, 'GMT+00:00').replace('GMT', 'UTC');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} (${offset})`;
}

const UNITS: Record<Language, readonly [string, string, string, string]> = {
  en: ['d', 'h', 'm', 's'],
  zh: ['天', '小时', '分钟', '秒'],
};

/** "2h 5m" or "2小时5分钟": the two largest units of a duration, "0s" below a second. */
export function formatDuration(ms: number, lang: Language): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const values = [Math.floor(total / 86_400), Math.floor((total % 86_400) / 3600), Math.floor((total % 3600) / 60), total % 60];
  const units = UNITS[lang];
  const first = values.findIndex((v) => v > 0);
  if (first === -1) return `0${units[3]}`;
  const shown = [first, first + 1].filter((i) => i < 4 && (values[i] as number) > 0);
  return shown.map((i) => `${values[i]}${units[i]}`).join(lang === 'en' ? ' ' : '');
}
