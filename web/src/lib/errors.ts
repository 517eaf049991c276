import { ApiError } from "../api/client";
import { exists, t } from "./i18n";

/** A sentence a manager or resident understands, from any thrown value. */
export function friendly(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t("problem.network");
    const slugKey = `problem.${e.slug}`;
    if (exists(slugKey)) return t(slugKey);
    const statusKey = `status.${e.status}`;
    const base = exists(statusKey) ? t(statusKey) : t("status.other");
    return e.problem.detail && e.status < 500 ? `${base} (${e.problem.detail})` : base;
  }
  return t("problem.unexpected");
}

/** Field messages keyed by field name: the server's detail, prefixed by a translated lead. */
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiError)) return {};
  return e.fieldErrors();
}
