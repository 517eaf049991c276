import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const API = process.env.API_URL ?? "http://127.0.0.1:8080";
export const CID = Number(process.env.DEMO_COMMUNITY ?? 1);
export const PASSWORD = "courtyard-demo";
export const demo = (who: "manager" | "alice" | "bob" | "carol" | "dan") => `${who}@demo.courtyard.local`;

/** Minimal API client for arranging test data the way other clients would (bearer tokens). */
export class Api {
  constructor(public token = "") {}
  static async login(email: string, password = PASSWORD): Promise<Api> {
    const r = await call("POST", "/v1/auth/login", { email, password });
    return new Api(r.token);
  }
  get<T = any>(path: string) {
    return call<T>("GET", path, undefined, this.token);
  }
  post<T = any>(path: string, body?: unknown, idem = false) {
    return call<T>("POST", path, body, this.token, idem);
  }
}

export async function call<T = any>(method: string, path: string, body?: unknown, token = "", idem = false): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (idem || method === "POST") headers["idempotency-key"] = crypto.randomUUID();
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function unitId(api: Api, number: string): Promise<number> {
  const b = await api.get(`/v1/communities/${CID}/buildings?limit=200`);
  for (const bl of b.items) {
    const u = await api.get(`/v1/communities/${CID}/buildings/${bl.id}/units?limit=200`);
    const hit = u.items.find((x: any) => x.number === number);
    if (hit) return hit.id;
  }
  throw new Error(`no unit ${number}`);
}

export async function meId(api: Api): Promise<number> {
  return (await api.get("/v1/me")).id;
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** No serious or critical accessibility violations on the page as it is now. */
export async function axe(page: Page) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`)).toEqual([]);
}

export async function signIn(page: Page, base: string, email: string, password = PASSWORD) {
  await page.goto(base);
  await page.getByLabel(/^(Email|邮箱)$/).fill(email);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole("button", { name: /^(Sign in|登录)$/ }).click();
}

/** Alice signed in to the app, on her Me tab; her API session for checking what the page shows. */
export async function aliceOnMe(page: Page): Promise<Api> {
  const alice = await Api.login(demo("alice"));
  await signIn(page, "/app/", demo("alice"));
  await expect(page.getByRole("heading", { name: "Hello, Alice" })).toBeVisible();
  await page.getByRole("link", { name: "Me", exact: true }).click();
  return alice;
}

export function period(offsetMonths: number): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + offsetMonths);
  return d.toISOString().slice(0, 7);
}
