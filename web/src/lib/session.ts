// Who is signed in, and which community they are looking at. Shared by portal and app.
import { computed, signal } from "@preact/signals";
import { api, auth, login, logout, ok, whenUnauthorized, type Schemas } from "../api/client";
import { connectLive, disconnectLive } from "./ws";
import { currency, currencyForZone, timeZone } from "./format";

export type Me = Schemas["Me"];
export type Role = Schemas["RoleGrant"];

export const me = signal<Me | null>(null);
export const restored = signal(false);
export const community = signal<Schemas["Community"] | null>(null);
export const cid = computed(() => community.value?.id ?? 0);

export function rolesIn(c: number): Role[] {
  return (me.value?.roles ?? []).filter((r) => r.community_id === c);
}
export function hasRole(role: Role["role"], c = cid.value): boolean {
  return rolesIn(c).some((r) => r.role === role);
}
export function merchantId(c = cid.value): number | undefined {
  return rolesIn(c).find((r) => r.role === "merchant")?.merchant_id;
}
/** The merchant's owner (not a staff account, which handles orders and redemptions only). */
export function merchantOwner(c = cid.value): boolean {
  const r = rolesIn(c).find((x) => x.role === "merchant");
  return !!r && r.merchant_role !== "staff";
}
export function unitId(c = cid.value): number | undefined {
  return rolesIn(c).find((r) => r.role === "resident")?.unit_id;
}

export async function selectCommunity(id: number) {
  const c = await ok(api.GET("/v1/communities/{cid}", { params: { path: { cid: id } } }));
  community.value = c;
  timeZone.value = c.timezone || timeZone.value;
  currency.value = currencyForZone(c.timezone || "");
  localStorage.setItem("cy.cid", String(id));
}

/** Picks the saved community if still allowed, else the first where `prefer` roles are held. */
export async function pickCommunity(prefer: Role["role"][] = []) {
  const roles = me.value?.roles ?? [];
  const saved = Number(localStorage.getItem("cy.cid") || 0);
  const ids = [...new Set(roles.map((r) => r.community_id))];
  let choice = ids.includes(saved) ? saved : 0;
  if (!choice) choice = roles.find((r) => prefer.includes(r.role))?.community_id ?? ids[0] ?? 0;
  if (!choice) {
    // No role yet (a new resident): any community the account may see.
    const list = await ok(api.GET("/v1/communities", {})).catch(() => null);
    choice = (list as { items?: Schemas["Community"][] } | null)?.items?.[0]?.id ?? 0;
  }
  if (choice) await selectCommunity(choice).catch(() => undefined);
}

export async function loadMe(): Promise<Me | null> {
  const r = await api.GET("/v1/me", {});
  me.value = r.response.ok && r.data ? r.data : null;
  return me.value;
}

/** On start: a cookie session survives a reload; a bearer token (memory only) does not. */
export async function restore(prefer: Role["role"][] = []) {
  try {
    if (await loadMe()) {
      await pickCommunity(prefer);
      connectLive();
    }
  } catch {
    me.value = null;
  } finally {
    restored.value = true;
  }
}

export async function signIn(email: string, password: string, prefer: Role["role"][] = []) {
  await login(email, password);
  // Until the community is known, the clients show their loading skeleton: on a slow link a
  // resident would otherwise see the residency application flash up (no community yet).
  restored.value = false;
  try {
    await loadMe();
    await pickCommunity(prefer);
    connectLive();
  } finally {
    restored.value = true;
  }
}

export async function signOut() {
  disconnectLive();
  await logout().catch(() => undefined);
  me.value = null;
  community.value = null;
}

whenUnauthorized(() => {
  if (me.value) {
    disconnectLive();
    auth.clear();
    me.value = null;
  }
});
