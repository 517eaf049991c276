// Codes the resident shows at a counter stay viewable offline: the order's pickup code (and a
// few words to recognise it) are kept in localStorage. Codes only: never a session token.
export type CachedCode = { kind: "pickup" | "delivery" | "visitor" | "parcel"; id: number; community_id: number; code: string; title: string; status?: string; saved_at: string };

const KEY = "cy.codes";

export function cachedCodes(): Record<string, CachedCode> {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "{}");
  } catch {
    return {};
  }
}

export function cacheCode(c: Omit<CachedCode, "saved_at">) {
  const all = cachedCodes();
  all[`${c.kind}:${c.id}`] = { ...c, saved_at: new Date().toISOString() };
  // Keep the 50 newest.
  const kept = Object.fromEntries(Object.entries(all).sort((a, b) => b[1].saved_at.localeCompare(a[1].saved_at)).slice(0, 50));
  localStorage.setItem(KEY, JSON.stringify(kept));
}

export function cachedCode(kind: CachedCode["kind"], id: number): CachedCode | undefined {
  return cachedCodes()[`${kind}:${id}`];
}

export function forgetCodes() {
  localStorage.removeItem(KEY);
}
