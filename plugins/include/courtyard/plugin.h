/*
 * Courtyard native plugin ABI (C). A plugin is a shared object that the server loads at
 * start-up (config key `plugins`) and runs as one more service: it adds HTTP routes with
 * access rules and subscribes to events from the transactional outbox.
 *
 * A plugin exports two functions (and optionally a third):
 *
 *   uint32_t courtyard_plugin_abi_version(void);
 *       Returns COURTYARD_PLUGIN_ABI_VERSION as the plugin was compiled. The server refuses
 *       a plugin whose version differs from its own, before calling anything else.
 *
 *   int courtyard_plugin_init(const courtyard_host* host, courtyard_plugin_info* info);
 *       Fills `info` (name, version, routes, subscriptions). Returns 0 on success; any
 *       other value aborts start-up. Everything `info` points to must stay valid until
 *       the plugin is unloaded (static storage is the usual choice). `host` also stays
 *       valid until then.
 *
 *   void courtyard_plugin_shutdown(void);            (optional)
 *       Called once before the shared object is closed.
 *
 * Rules of the boundary: errors travel as return values; a callback must never let a C++
 * exception or a longjmp escape. Callbacks run concurrently on the server's worker
 * threads, so shared state needs atomics or locks. Strings passed in are NOT
 * NUL-terminated unless stated: use the size.
 */
#ifndef COURTYARD_PLUGIN_H
#define COURTYARD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version 2: requests carry a courtyard_principal (who calls: kind, account, roles,
 * merchant, scopes) instead of a bare account id; community_id is filled only when the
 * route's rule checked it; event callbacks run with no transaction open. */
#define COURTYARD_PLUGIN_ABI_VERSION 2u

/* Symbol names the loader looks up. */
#define COURTYARD_PLUGIN_ABI_VERSION_SYMBOL "courtyard_plugin_abi_version"
#define COURTYARD_PLUGIN_INIT_SYMBOL "courtyard_plugin_init"
#define COURTYARD_PLUGIN_SHUTDOWN_SYMBOL "courtyard_plugin_shutdown"

#if defined(_WIN32)
#define COURTYARD_PLUGIN_EXPORT __declspec(dllexport)
#else
#define COURTYARD_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* A byte string with its length; not NUL-terminated. */
typedef struct courtyard_str {
  const char* data;
  size_t size;
} courtyard_str;

/* A path parameter, e.g. {"cid", "42"} for pattern /v1/communities/{cid}/... */
typedef struct courtyard_param {
  courtyard_str name;
  courtyard_str value;
} courtyard_param;

/* Who is calling. */
enum courtyard_principal_kind {
  COURTYARD_PRINCIPAL_ANONYMOUS = 0, /* no credentials (only "public" routes) */
  COURTYARD_PRINCIPAL_ACCOUNT = 1,   /* a signed-in account (bearer token or session cookie) */
  COURTYARD_PRINCIPAL_API_KEY = 2    /* a merchant API key (ck_...): acts for its merchant, not for a person */
};

/* Role bits in courtyard_principal.roles. */
#define COURTYARD_ROLE_RESIDENT 1u
#define COURTYARD_ROLE_MANAGER 2u
#define COURTYARD_ROLE_MERCHANT 4u
#define COURTYARD_ROLE_COURIER 8u

typedef struct courtyard_principal {
  int kind;                  /* enum courtyard_principal_kind */
  int is_admin;              /* 1 for a platform admin (passes every rule, may hold no role) */
  int64_t account_id;        /* COURTYARD_PRINCIPAL_ACCOUNT only; 0 for anonymous callers and API
                                keys (an API key never arrives as the account that created it) */
  uint32_t roles;            /* COURTYARD_ROLE_* bits held in the request's community_id;
                                0 when community_id is 0 */
  int64_t merchant_id;       /* the merchant the caller acts for in community_id (an API key's
                                merchant, or a merchant role's); 0 when none or community_id is 0 */
  const courtyard_str* scopes; /* API keys: the key's scopes ("orders:read"); else none */
  size_t scope_count;
} courtyard_principal;

/* What a route handler sees. Valid only during the call. */
typedef struct courtyard_request {
  courtyard_str method;        /* "GET", "POST", ... */
  courtyard_str path;          /* percent-decoded path, no query */
  courtyard_str query;         /* raw query string without '?', may be empty */
  courtyard_str body;          /* request body (JSON for API calls), may be empty */
  courtyard_str request_id;    /* echo it in logs */
  /* The {cid} community, filled only when the route's rule checked the caller against it
   * (member and role rules). 0 on "public", "authenticated" and "admin" routes even when
   * the pattern has {cid}: that raw value is in params, unchecked: the caller may belong
   * to no such community. */
  int64_t community_id;
  courtyard_principal principal;
  const courtyard_param* params;
  size_t param_count;
} courtyard_request;

/* What a route handler fills. The server sets status 200 and content type
 * "application/json" before the call. Body memory must come from host->alloc (or be
 * static); the server copies it and frees what alloc returned after the call.
 * A status >= 400 with an empty body becomes an application/problem+json error. */
typedef struct courtyard_response {
  int status;
  const char* content_type;  /* NUL-terminated; static, or from host->alloc */
  const char* body;
  size_t body_size;
  void* host_reserved;       /* owned by the server: do not touch */
} courtyard_response;

typedef struct courtyard_host courtyard_host;

/* Returns 0 when `res` was filled (whatever its status); any other value is a plugin
 * failure and the client gets a 500 with no details. */
typedef int (*courtyard_route_fn)(void* user_data, const courtyard_request* req, courtyard_response* res);

/* One route. `access` is the rule checked before the handler runs:
 *   "public"          anyone, signed in or not
 *   "authenticated"   any signed-in account
 *   "admin"           platform admins
 *   "member"          any role in the {cid} community
 *   "resident" | "manager" | "merchant" | "courier", or several joined with '|'
 *                     ("resident|manager"): one of those roles in {cid}
 * Community rules need a {cid} segment in the pattern. Merchant API keys are refused
 * unless the rule names a scope: "merchant scope=orders:read". */
typedef struct courtyard_route {
  const char* method;   /* "GET", "POST", "PUT", "PATCH", "DELETE" */
  const char* pattern;  /* "/v1/communities/{cid}/plugins/hello"; {name} marks a parameter */
  const char* access;
  courtyard_route_fn handler;
  void* user_data;
} courtyard_route;

/* An event from the outbox, delivered after the publishing transaction committed. The
 * callback runs on one of the server's event dispatcher threads with no database
 * transaction open (it never holds the write lock). On MariaDB up to three threads
 * deliver different subscriptions' events at once; one subscription's events arrive one
 * at a time on an instance, oldest first. Delivery is at least once: key side effects on
 * event_id. If the callback returns non-zero it is called again later with exponential
 * backoff, and after the last attempt the delivery is a dead letter (admins list and
 * re-queue them under /v1/admin/events/dead-letters). If the server stops after the
 * callback returned 0 but before it recorded the delivery, or the callback runs longer
 * than the delivery lease (30 s), the same event is delivered again. */
typedef struct courtyard_event {
  courtyard_str topic;    /* "order.completed" */
  courtyard_str payload;  /* JSON object */
  int64_t event_id;
  int64_t community_id;
  int64_t created_at_ms;  /* UTC epoch milliseconds */
} courtyard_event;

/* Returns 0 when handled; any other value asks for a retry later (with backoff). */
typedef int (*courtyard_event_fn)(void* user_data, const courtyard_event* event);

typedef struct courtyard_subscription {
  const char* topic;
  courtyard_event_fn handler;
  void* user_data;
} courtyard_subscription;

/* Filled by courtyard_plugin_init. */
typedef struct courtyard_plugin_info {
  const char* name;     /* [a-z0-9_-]+, unique among services and plugins */
  const char* version;  /* free text, e.g. "1.0.0" */
  const courtyard_route* routes;
  size_t route_count;
  const courtyard_subscription* subscriptions;
  size_t subscription_count;
} courtyard_plugin_info;

enum courtyard_log_level {
  COURTYARD_LOG_DEBUG = 0,
  COURTYARD_LOG_INFO = 1,
  COURTYARD_LOG_WARN = 2,
  COURTYARD_LOG_ERROR = 3
};

/* Services the server offers a plugin. */
struct courtyard_host {
  uint32_t abi_version;
  void* host_data;  /* owned by the server: pass `host` back, do not touch */
  /* Memory for a response (body, content type), freed by the server after the route
   * callback returns. NULL when out of memory. */
  void* (*alloc)(courtyard_response* res, size_t size);
  /* Writes a NUL-terminated line to the server log, tagged with the plugin's name. */
  void (*log)(const courtyard_host* host, int level, const char* message);
};

/* Convenience: copies `size` bytes into host memory and makes them the body.
 * Returns 0, or -1 when out of memory. */
static inline int courtyard_set_body(const courtyard_host* host, courtyard_response* res, const char* data,
                                     size_t size) {
  char* buf = (char*)host->alloc(res, size ? size : 1);
  if (!buf) return -1;
  if (size) memcpy(buf, data, size);
  res->body = buf;
  res->body_size = size;
  return 0;
}

/* The exports, for plugins to define and the loader to type-check against. */
typedef uint32_t (*courtyard_plugin_abi_version_fn)(void);
typedef int (*courtyard_plugin_init_fn)(const courtyard_host* host, courtyard_plugin_info* info);
typedef void (*courtyard_plugin_shutdown_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* COURTYARD_PLUGIN_H */
