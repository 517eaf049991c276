// The one API client both web clients use: openapi-fetch typed from the merged OpenAPI document.
//
// Sessions: the login asks for a cookie session (`session: "cookie"`): the server sets an
// HttpOnly `cy_session` cookie plus a readable `cy_csrf`, and every state-changing request
// carries `X-CSRF-Token`. Servers that do not support cookies yet answer with a `token`: it is
// kept in memory only (never in storage) and sent as `Authorization: Bearer`.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

let bearer: string | null = null;
let csrf: string | null = null;

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

export const auth = {
  setBearer(token: string | null) {
    bearer = token;
  },
  setCsrf(token: string | null) {
    csrf = token;
  },
  hasBearer: () => bearer !== null,
  bearer: () => bearer,
  csrf: () => csrf ?? readCookie("cy_csrf"),
  clear() {
    bearer = null;
    csrf = null;
  },
};

const unsafe = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let onUnauthorized: (() => void) | null = null;
export function whenUnauthorized(fn: () => void) {
  onUnauthorized = fn;
}

const authMiddleware: Middleware = {
  onRequest({ request }) {
    if (bearer) request.headers.set("Authorization", `Bearer ${bearer}`);
    if (unsafe.has(request.method)) {
      const token = auth.csrf();
      if (token) request.headers.set("X-CSRF-Token", token);
    }
    request.headers.set("Accept", "application/json, application/problem+json");
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.includes("/v1/auth/login") && onUnauthorized) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(authMiddleware);

/** An API failure with the problem+json body (or a synthesised one for network errors). */
export class ApiError extends Error {
  constructor(
    public status: number,
    public problem: Problem,
  ) {
    super(problem.detail || problem.title);
  }
  get slug(): string {
    return (this.problem.type || "").replace(/^\/problems\//, "");
  }
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) if (e.field) out[e.field] = e.detail ?? "";
    return out;
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Unwraps an openapi-fetch result: the data, or throws ApiError. Network failures become status 0. */
export async function ok<T>(p: Promise<Result<T>>): Promise<T> {
  let r: Result<T>;
  try {
    r = await p;
  } catch (e) {
    throw new ApiError(0, { type: "/problems/network", title: "Network error", status: 0, detail: String(e), request_id: "" });
  }
  if (r.response.ok) return r.data as T;
  const body = r.error as Partial<Problem> | undefined;
  const problem: Problem = {
    type: body?.type ?? `/problems/http-${r.response.status}`,
    title: body?.title ?? r.response.statusText,
    status: r.response.status,
    detail: body?.detail ?? "",
    request_id: body?.request_id ?? r.response.headers.get("X-Request-Id") ?? "",
    errors: body?.errors,
  };
  throw new ApiError(r.response.status, problem);
}

export function idempotencyKey(): string {
  return crypto.randomUUID();
}

export type LoginResult = { account: Schemas["Account"]; expires_at: string; csrf_token?: string; token?: string };

export async function login(email: string, password: string): Promise<LoginResult> {
  // `session` is the cookie-session request; older servers ignore the unknown field.
  const body = { email, password, session: "cookie" } as { email: string; password: string };
  const res = (await ok(api.POST("/v1/auth/login", { body }))) as unknown as LoginResult;
  if (res.token) auth.setBearer(res.token);
  else auth.setBearer(null);
  auth.setCsrf(res.csrf_token ?? readCookie("cy_csrf"));
  return res;
}

export async function logout(): Promise<void> {
  try {
    await api.POST("/v1/auth/logout", {});
  } finally {
    auth.clear();
  }
}

/** Pages through a cursor list until `max` items. */
export async function all<T>(fetchPage: (cursor?: string) => Promise<{ items: T[]; next_cursor: string | null }>, max = 1000) {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && items.length < max);
  return items;
}
