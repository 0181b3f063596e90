// Number, money and time formatting. Money is COP in both languages; times are
// shown in the business timezone the server reports (`zona_horaria`), never
// the browser's own.
import type { Lang } from './messages';

const LOCALES: Record<Lang, string> = { es: 'es-CO', en: 'en-US' };

export function localeOf(lang: Lang): string {
  return LOCALES[lang];
}

const moneyFormats = new Map<Lang, Intl.NumberFormat>();

/**
 * The one money format, used by every card, table, chart, tooltip and
 * axis: COP with two decimals always ("$ 1,00", "$ 28,60", "$ 1.234.567,00").
 * The data holds cents (prices such as 28.60 are common), so whole pesos
 * would round real amounts away and make columns stop adding up; and cents
 * only when present put "$ 1" next to "$ 28,60".
 */
export function formatMoney(amount: number, lang: Lang): string {
  let format = moneyFormats.get(lang);
  if (!format) {
    format = new Intl.NumberFormat(localeOf(lang), {
      style: 'currency',
      currency: 'COP',
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    moneyFormats.set(lang, format);
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

/**
 * A "YYYY-MM-DD" business day as the day field shows it. Spanish: dd/mm/aaaa,
 * whatever the browser's locale (an en-US browser's 12/01/2026 is read as
 * 12 January in Colombia). English: ISO 8601 (2026-01-12), the one numeric
 * form no reader, American or British, takes for another day; it is also
 * what the URL and the API use.
 */
export function formatDayInput(day: string, lang: Lang): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const [, y, m, d] = match;
  return lang === 'es' ? `${d}/${m}/${y}` : day;
}

function calendarDay(y: number, m: number, d: number): string | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return null;
  }
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * What a person typed in the day field, as "YYYY-MM-DD", or null when it is
 * not a real day. Both languages take ISO (year first cannot be misread);
 * Spanish also takes d/m/aaaa with '/', '-' or '.' between. English takes no
 * slashed form: 12/01/2026 means 1 December to an American and 12 January
 * to everyone else.
 */
export function parseDayInput(text: string, lang: Lang): string | null {
  const value = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (iso) return calendarDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  if (lang !== 'es') return null;
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (dmy) return calendarDay(Number(dmy[3]), Number(dmy[2]), Number(dmy[1]));
  return null;
}

/** The day `days` after a "YYYY-MM-DD" day (before, when negative). */
export function addDays(day: string, days: number): string {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return date.toISOString().slice(0, 10);
}

/** Day and time of an ISO timestamp in the business timezone: "12/09/2024 03:50:58". */
export function formatDateTime(iso: string, timeZone: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${formatDayInput(dayInTimeZone(date, timeZone), lang)} ${formatTime(iso, timeZone, lang)}`;
}

/** An order id short enough not to be the widest column: "4205dd65…". */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** A change in percent, signed: "+12 %", "−5,3 %", "0 %" (one decimal at most). */
export function formatPercentChange(percent: number, lang: Lang): string {
  const text = new Intl.NumberFormat(localeOf(lang), {
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(percent);
  return `${text} %`;
}

/** The weekday of a "YYYY-MM-DD" day: "jueves", "Thursday". */
export function formatWeekday(day: string, lang: Lang): string {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(localeOf(lang), { timeZone: 'UTC', weekday: 'long' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}
