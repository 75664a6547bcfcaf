/**
 * Times and durations in messages. PURE: the time zone is an argument, never the machine's.
 * Alerts use Slack's date tokens (each reader sees their own zone); the digest and history use
 * the configured zone, so that "on Tue" means the same day to everyone reading #ops.
 */

/** 42 s · 5 min · 1 h 12 min · 3 d 4 h */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

// The UTC fallback and Slack's date token live with the other Slack tokens (slack-text.ts).
export { slackDate, utcText } from './slack-text.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The parts of a time in a zone (en-US names: `Tue`, `Sep`; 24-hour clock). */
function partsIn(ms: number, timeZone: string): Record<'weekday' | 'day' | 'month' | 'hour' | 'minute', string> {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  return { weekday: parts.weekday ?? '', day: parts.day ?? '', month: parts.month ?? '', hour: parts.hour ?? '', minute: parts.minute ?? '' };
}

/** `Tue 14:02` in the zone. */
export function dayTime(ms: number, timeZone: string): string {
  const p = partsIn(ms, timeZone);
  return `${p.weekday} ${p.hour}:${p.minute}`;
}

/** `Tue 15 Sep 14:02` in the zone. */
export function dateTime(ms: number, timeZone: string): string {
  const p = partsIn(ms, timeZone);
  return `${p.weekday} ${p.day} ${p.month} ${p.hour}:${p.minute}`;
}

/** `Tue` when within the last six days of `now`, else `15 Sep`. */
export function dayName(ms: number, now: number, timeZone: string): string {
  const p = partsIn(ms, timeZone);
  return now - ms < 6 * 24 * 3_600_000 ? p.weekday : `${p.day} ${p.month}`;
}

/** `99.82 %`, `100 %` only when nothing failed, `—` when nothing was checked. */
export function percent(ratio: number | undefined): string {
  if (ratio === undefined) return '—';
  if (ratio >= 1) return '100 %';
  return `${(Math.floor(ratio * 10_000) / 100).toFixed(2)} %`;
}
