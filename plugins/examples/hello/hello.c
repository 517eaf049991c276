/* Example Courtyard plugin in plain C: one route and one event subscription.
 *
 *   GET /v1/communities/{cid}/plugins/hello   (any member of the community)
 *     -> {"plugin": "hello", "community_id": 1, "caller": {"kind": "account", "account_id": 7,
 *         "admin": false, "manager": true, "resident": false, "merchant_id": 0},
 *         "orders_completed": 3}
 *   order.completed                           counted (process-wide, since start); the
 *                                             callback runs after the order committed, with
 *                                             no transaction open, at least once
 *
 * Load it with `courtyard --plugins build/libcourtyard_plugin_hello.so`. */
#include <courtyard/plugin.h>

#include <stdatomic.h>
#include <stdio.h>

static const courtyard_host* g_host;
static atomic_llong g_orders_completed;

static const char* kind_name(int kind) {
  switch (kind) {
    case COURTYARD_PRINCIPAL_ACCOUNT: return "account";
    case COURTYARD_PRINCIPAL_API_KEY: return "api_key";
    default: return "anonymous";
  }
}

static int hello_route(void* user_data, const courtyard_request* req, courtyard_response* res) {
  (void)user_data;
  /* The rule is "member", so community_id was checked and roles are the caller's there. */
  const courtyard_principal* who = &req->principal;
  char body[512];
  int n = snprintf(body, sizeof body,
                   "{\"plugin\":\"hello\",\"message\":\"hello from a plugin\",\"community_id\":%lld,"
                   "\"caller\":{\"kind\":\"%s\",\"account_id\":%lld,\"admin\":%s,\"manager\":%s,"
                   "\"resident\":%s,\"merchant_id\":%lld},\"orders_completed\":%lld}",
                   (long long)req->community_id, kind_name(who->kind), (long long)who->account_id,
                   who->is_admin ? "true" : "false", (who->roles & COURTYARD_ROLE_MANAGER) ? "true" : "false",
                   (who->roles & COURTYARD_ROLE_RESIDENT) ? "true" : "false", (long long)who->merchant_id,
                   (long long)atomic_load(&g_orders_completed));
  if (n < 0 || (size_t)n >= sizeof body) return 1;
  res->status = 200;
  res->content_type = "application/json";
  return courtyard_set_body(g_host, res, body, (size_t)n) == 0 ? 0 : 1;
}

static int on_order_completed(void* user_data, const courtyard_event* event) {
  (void)user_data;
  (void)event;
  atomic_fetch_add(&g_orders_completed, 1);
  return 0;
}

static const courtyard_route kRoutes[] = {
    {"GET", "/v1/communities/{cid}/plugins/hello", "member", hello_route, NULL},
};

static const courtyard_subscription kSubscriptions[] = {
    {"order.completed", on_order_completed, NULL},
};

COURTYARD_PLUGIN_EXPORT uint32_t courtyard_plugin_abi_version(void) { return COURTYARD_PLUGIN_ABI_VERSION; }

COURTYARD_PLUGIN_EXPORT int courtyard_plugin_init(const courtyard_host* host, courtyard_plugin_info* info) {
  g_host = host;
  atomic_store(&g_orders_completed, 0);
  info->name = "hello";
  info->version = "1.0.0";
  info->routes = kRoutes;
  info->route_count = sizeof kRoutes / sizeof kRoutes[0];
  info->subscriptions = kSubscriptions;
  info->subscription_count = sizeof kSubscriptions / sizeof kSubscriptions[0];
  host->log(host, COURTYARD_LOG_INFO, "hello plugin ready");
  return 0;
}

COURTYARD_PLUGIN_EXPORT void courtyard_plugin_shutdown(void) { g_host = NULL; }
