// Locale-aware formatting: money from integer cents, times in the community's time zone.
import { signal } from "@preact/signals";

export const locale = signal<string>("en");
/** The selected community's IANA time zone (from GET /v1/communities/{cid}). */
export const timeZone = signal<string>(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
/** The community's currency; the API has no currency field yet, so it is derived from the zone. */
export const currency = signal<string>("GBP");

export function currencyForZone(tz: string): string {
  if (/^Asia\/(Shanghai|Chongqing|Harbin|Urumqi)/.test(tz)) return "CNY";
  if (tz === "Asia/Hong_Kong") return "HKD";
  if (tz === "Asia/Singapore") return "SGD";
  if (tz === "Asia/Tokyo") return "JPY";
  if (tz === "Europe/London" || tz === "Europe/Belfast") return "GBP";
  if (tz.startsWith("Europe/")) return "EUR";
  if (tz.startsWith("America/")) return "USD";
  if (tz.startsWith("Australia/")) return "AUD";
  return "USD";
}

const cache = new Map<string, Intl.NumberFormat>();
export function money(cents: number | null | undefined): string {
  const key = `${locale.value}|${currency.value}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale.value, { style: "currency", currency: currency.value });
    cache.set(key, f);
  }
  // Amounts are integer minor units (cents); currencies are all 2-decimal in storage.
  return f.format((cents ?? 0) / 100);
}

export function dateTime(iso: string | null | undefined, opts: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "short" }): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale.value, { ...opts, timeZone: timeZone.value }).format(d);
}

/** A time window in the community's zone and the reader's language ("Wed 3 Dec, 10:00 – 12:00"). */
export function timeRange(from: string | null | undefined, to: string | null | undefined): string {
  if (!from || !to) return dateTime(from);
  const a = new Date(from);
  const b = new Date(to);
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return `${from} – ${to}`;
  const f = new Intl.DateTimeFormat(locale.value, { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: timeZone.value });
  return f.formatRange(a, b);
}

export const date = (iso: string | null | undefined) => dateTime(iso, { dateStyle: "medium" });
export const time = (iso: string | null | undefined) => dateTime(iso, { timeStyle: "short" });

export function relativeMinutes(minutes: number): string {
  const rtf = new Intl.RelativeTimeFormat(locale.value, { numeric: "auto" });
  if (minutes < 60) return rtf.format(-Math.round(minutes), "minute");
  if (minutes < 48 * 60) return rtf.format(-Math.round(minutes / 60), "hour");
  return rtf.format(-Math.round(minutes / 1440), "day");
}

/** "YYYY-MM" of now in the community zone (billing periods). */
export function currentPeriod(): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: timeZone.value, year: "numeric", month: "2-digit" }).formatToParts(new Date());
  const y = parts.find((p) => p.type === "year")?.value;
  const m = parts.find((p) => p.type === "month")?.value;
  return `${y}-${m}`;
}

/** "YYYY-MM-DD" of an instant in the community zone (to compare with "today"). */
export function dayOf(iso: string | Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone.value, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    typeof iso === "string" ? new Date(iso) : iso,
  );
}
