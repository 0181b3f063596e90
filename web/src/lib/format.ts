// Number, money and time formatting. Money is COP in both languages; times are
// shown in the business timezone the server reports (`zona_horaria`), never
// the browser's own.
import type { Lang } from './messages';

const LOCALES: Record<Lang, string> = { es: 'es-CO', en: 'en-US' };

export function localeOf(lang: Lang): string {
  return LOCALES[lang];
}

const moneyCache = new Map<string, Intl.NumberFormat>();

/** 1234.5 → "$ 1.234,50"; whole amounts get no decimals ("$ 268"). */
export function formatMoney(amount: number, lang: Lang): string {
  const hasCents = Math.round(amount * 100) % 100 !== 0;
  const key = `${lang}:${hasCents ? 2 : 0}`;
  let format = moneyCache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(localeOf(lang), {
      style: 'currency',
      currency: 'COP',
      minimumFractionDigits: hasCents ? 2 : 0,
      maximumFractionDigits: hasCents ? 2 : 0,
    });
    moneyCache.set(key, format);
  }
  return format.format(amount);
}

export function formatNumber(value: number, lang: Lang): string {
  return new Intl.NumberFormat(localeOf(lang)).format(value);
}

/** Time of day of an ISO timestamp in the business timezone: "14:03:22". */
export function formatTime(iso: string, timeZone: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(localeOf(lang), {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

/** "YYYY-MM-DD" of an instant in a timezone. */
export function dayInTimeZone(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** A long, human date for a "YYYY-MM-DD" business day. */
export function formatDay(day: string, lang: Lang): string {
  const [y, m, d] = day.split('-').map(Number);
  if (y === undefined || m === undefined || d === undefined) return day;
  return new Intl.DateTimeFormat(localeOf(lang), {
    timeZone: 'UTC',
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** "hace 3 s" / "3 sec. ago". */
export function formatAgo(ms: number, lang: Lang): string {
  const rtf = new Intl.RelativeTimeFormat(localeOf(lang), { style: 'short', numeric: 'always' });
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return rtf.format(-seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return rtf.format(-minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return rtf.format(-hours, 'hour');
  return rtf.format(-Math.floor(hours / 24), 'day');
}

/** A wait in seconds for a person: "45 s", "5 min". */
export function formatWait(seconds: number, lang: Lang): string {
  const unit = seconds < 60 ? 'second' : 'minute';
  const value = seconds < 60 ? seconds : Math.ceil(seconds / 60);
  return new Intl.NumberFormat(localeOf(lang), {
    style: 'unit',
    unit,
    unitDisplay: 'long',
  }).format(value);
}

/** The hour label of a bar: "14:00". */
export function formatHour(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}
