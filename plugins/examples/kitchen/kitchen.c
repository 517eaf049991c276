/* Example Courtyard plugin in plain C: a kitchen-ticket printer feed for merchants.
 *
 *   order.placed   each placed order becomes a ticket, kept in memory: the last
 *                  KITCHEN_KEEP tickets per (community, merchant). Delivery is at least
 *                  once, so a ticket is keyed on the event id: a redelivered event (or a
 *                  second order.placed for the same order) adds nothing. The dedup memory
 *                  is the tickets kept, so a redelivery older than the last KITCHEN_KEEP
 *                  tickets of its merchant would print again. The callback runs
 *                  after the order committed, with no transaction open.
 *
 *   GET /v1/communities/{cid}/merchants/{mid}/kitchen-tickets
 *                  rule "merchant scope=orders:read": the merchant role in {cid}, or a
 *                  merchant API key with orders:read (a kitchen printer polling). With
 *                  {mid} in the pattern the host already refuses (403) a merchant who does
 *                  not act for {mid}; the plugin checks principal.merchant_id == {mid}
 *                  again, as any plugin should before serving per-merchant data.
 *                  Platform admins may read any merchant's. Newest first.
 *                    ?format=text (default)  text/plain, a fixed-width receipt per ticket
 *                    ?format=json            {"community_id","merchant_id","tickets":[...]}
 *                    ?width=42 (default) | 32   receipt columns (80 mm / 58 mm paper)
 *                  Anything else in format/width is a 400.
 *
 * The order.placed payload (services/EVENTS.md) carries order_id, merchant_id, buyer_id,
 * total_cents, fulfilment, unit_id, status, group_buy_id and the line items; the ticket
 * shows those, each line as quantity and name (the first KITCHEN_ITEMS lines, then how many
 * more), and the placed-at time (the event's created_at). Names are printed as plain ASCII,
 * what any receipt printer prints: a character outside it is a '?', a double quote a single
 * one. An event stored before items were published prints without lines. Tickets live in
 * this process only: a restart, or a second server instance, starts with none.
 *
 * Load it with `courtyard --plugins build/libcourtyard_plugin_kitchen.so`. */
#include <courtyard/plugin.h>

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define KITCHEN_KEEP 20
#define KITCHEN_ITEMS 12 /* lines printed per ticket; the rest are counted */
#define KITCHEN_NAME 40

typedef struct ticket_item {
  int64_t quantity;
  char name[KITCHEN_NAME]; /* printable ASCII, no double quote or backslash: safe in text and JSON */
} ticket_item;

typedef struct ticket {
  int64_t event_id;
  int64_t order_id;
  int64_t buyer_id;
  int64_t unit_id;
  int64_t total_cents;
  int64_t group_buy_id;
  int64_t placed_at_ms;
  char fulfilment[16];
  size_t item_count;
  size_t items_more; /* lines beyond KITCHEN_ITEMS */
  ticket_item items[KITCHEN_ITEMS];
} ticket;

typedef struct merchant_feed {
  int64_t community_id;
  int64_t merchant_id;
  ticket ring[KITCHEN_KEEP]; /* ring[(next - 1) % KEEP] is the newest */
  size_t next;               /* tickets ever stored */
} merchant_feed;

static const courtyard_host* g_host;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static merchant_feed* g_feeds; /* guarded by g_lock */
static size_t g_feed_count;
static size_t g_feed_cap;

/* ---- a minimal reader for the flat JSON object the shops service publishes */

static const char* find_key(courtyard_str json, const char* key) {
  size_t klen = strlen(key);
  const char* end = json.data + json.size;
  for (const char* p = json.data; p + klen + 2 <= end; ++p) {
    if (*p != '"' || memcmp(p + 1, key, klen) != 0 || p[klen + 1] != '"') continue;
    const char* q = p + klen + 2;
    while (q < end && isspace((unsigned char)*q)) ++q;
    if (q >= end || *q != ':') continue;
    ++q;
    while (q < end && isspace((unsigned char)*q)) ++q;
    return q < end ? q : NULL;
  }
  return NULL;
}

/* 0 and *out set when `key` holds an integer. */
static int json_int(courtyard_str json, const char* key, int64_t* out) {
  const char* p = find_key(json, key);
  const char* end = json.data + json.size;
  if (!p) return -1;
  int neg = 0;
  if (*p == '-') {
    neg = 1;
    ++p;
  }
  if (p >= end || !isdigit((unsigned char)*p)) return -1;
  int64_t v = 0;
  for (; p < end && isdigit((unsigned char)*p); ++p) {
    if (v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (*p - '0');
  }
  *out = neg ? -v : v;
  return 0;
}

/* Copies a short string value, keeping only [a-z_] so it is safe in text and JSON. */
static void json_word(courtyard_str json, const char* key, char* out, size_t cap) {
  const char* p = find_key(json, key);
  const char* end = json.data + json.size;
  size_t n = 0;
  if (p && *p == '"')
    for (++p; p < end && *p != '"' && n + 1 < cap; ++p)
      if ((*p >= 'a' && *p <= 'z') || *p == '_') out[n++] = *p;
  out[n] = '\0';
}

/* Copies a string value for a receipt: printable ASCII, a double quote or backslash as ' or /,
 * anything else one '?' (a UTF-8 sequence or a \uXXXX escape counts once), cut at cap. */
static void json_text(courtyard_str json, const char* key, char* out, size_t cap) {
  const char* p = find_key(json, key);
  const char* end = json.data + json.size;
  size_t n = 0;
  if (p && *p == '"') {
    for (++p; p < end && *p != '"' && n + 1 < cap; ++p) {
      unsigned char c = (unsigned char)*p;
      char shown = (char)c;
      if (c == '\\') {
        if (++p >= end) break;
        c = (unsigned char)*p;
        shown = c == '"' ? '\'' : c == '\\' || c == '/' ? '/' : c == 'u' ? '?' : ' ';
        for (int k = 0; c == 'u' && k < 4 && p + 1 < end; ++k) ++p;
      } else if (c >= 0x80) {
        if ((c & 0xC0) == 0x80) continue; /* the rest of a UTF-8 sequence */
        shown = '?';
      } else if (c < 0x20 || c == 0x7f) {
        shown = ' ';
      }
      out[n++] = shown;
    }
  }
  out[n] = '\0';
}

/* Where the object or array starting at p ends (just past its closing bracket), brackets
 * inside strings passed over; NULL when it does not end. */
static const char* value_end(const char* p, const char* end) {
  int depth = 0, in_string = 0;
  for (; p < end; ++p) {
    if (in_string) {
      if (*p == '\\')
        ++p;
      else if (*p == '"')
        in_string = 0;
    } else if (*p == '"') {
      in_string = 1;
    } else if (*p == '{' || *p == '[') {
      ++depth;
    } else if ((*p == '}' || *p == ']') && --depth == 0) {
      return p + 1;
    }
  }
  return NULL;
}

/* The payload's items[] ({product_id, name, category, quantity, ...}) into the ticket. */
static void read_items(courtyard_str payload, ticket* t) {
  const char* p = find_key(payload, "items");
  const char* end = payload.data + payload.size;
  if (!p || *p != '[') return;
  for (++p;;) {
    while (p < end && (isspace((unsigned char)*p) || *p == ',')) ++p;
    if (p >= end || *p != '{') return;
    const char* q = value_end(p, end);
    if (!q) return;
    courtyard_str item = {p, (size_t)(q - p)};
    if (t->item_count < KITCHEN_ITEMS) {
      ticket_item* it = &t->items[t->item_count++];
      if (json_int(item, "quantity", &it->quantity) != 0) it->quantity = 0;
      json_text(item, "name", it->name, sizeof it->name);
    } else {
      t->items_more++;
    }
    p = q;
  }
}

/* ---- storage */

static merchant_feed* feed_for(int64_t cid, int64_t mid, int create) {
  for (size_t i = 0; i < g_feed_count; ++i)
    if (g_feeds[i].community_id == cid && g_feeds[i].merchant_id == mid) return &g_feeds[i];
  if (!create) return NULL;
  if (g_feed_count == g_feed_cap) {
    size_t cap = g_feed_cap ? g_feed_cap * 2 : 8;
    merchant_feed* grown = (merchant_feed*)realloc(g_feeds, cap * sizeof *grown);
    if (!grown) return NULL;
    g_feeds = grown;
    g_feed_cap = cap;
  }
  merchant_feed* f = &g_feeds[g_feed_count++];
  memset(f, 0, sizeof *f);
  f->community_id = cid;
  f->merchant_id = mid;
  return f;
}

static int on_order_placed(void* user_data, const courtyard_event* event) {
  (void)user_data;
  ticket t;
  memset(&t, 0, sizeof t);
  int64_t mid = 0;
  if (json_int(event->payload, "merchant_id", &mid) != 0 || json_int(event->payload, "order_id", &t.order_id) != 0) {
    /* Not an order we can print; retrying would not change the payload. */
    g_host->log(g_host, COURTYARD_LOG_WARN, "order.placed without merchant_id/order_id: skipped");
    return 0;
  }
  json_int(event->payload, "buyer_id", &t.buyer_id);
  json_int(event->payload, "unit_id", &t.unit_id);
  json_int(event->payload, "total_cents", &t.total_cents);
  json_int(event->payload, "group_buy_id", &t.group_buy_id);
  json_word(event->payload, "fulfilment", t.fulfilment, sizeof t.fulfilment);
  read_items(event->payload, &t);
  t.event_id = event->event_id;
  t.placed_at_ms = event->created_at_ms;

  pthread_mutex_lock(&g_lock);
  merchant_feed* f = feed_for(event->community_id, mid, 1);
  if (!f) {
    pthread_mutex_unlock(&g_lock);
    return 1; /* out of memory: ask for a retry */
  }
  size_t held = f->next < KITCHEN_KEEP ? f->next : KITCHEN_KEEP;
  for (size_t i = 0; i < held; ++i) {
    ticket const* old = &f->ring[i];
    if (old->event_id == t.event_id || old->order_id == t.order_id) {
      pthread_mutex_unlock(&g_lock);
      return 0; /* redelivery: already printed */
    }
  }
  f->ring[f->next % KITCHEN_KEEP] = t;
  f->next++;
  pthread_mutex_unlock(&g_lock);
  return 0;
}

/* ---- rendering */

typedef struct buf {
  char* data;
  size_t size;
  size_t cap;
  int failed;
} buf;

static void put(buf* b, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf* b, const char* fmt, ...) {
  if (b->failed) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->size, b->cap - b->size, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = 1;
      return;
    }
    if ((size_t)n < b->cap - b->size) {
      b->size += (size_t)n;
      return;
    }
    size_t cap = (b->cap + (size_t)n + 1) * 2;
    char* grown = (char*)realloc(b->data, cap);
    if (!grown) {
      b->failed = 1;
      return;
    }
    b->data = grown;
    b->cap = cap;
  }
}

static void rule(buf* b, char c, int width) {
  for (int i = 0; i < width; ++i) put(b, "%c", c);
  put(b, "\n");
}

/* `left` flush left and `right` flush right on one line of `width` columns. */
static void line2(buf* b, int width, const char* left, const char* right) {
  int pad = width - (int)strlen(left) - (int)strlen(right);
  if (pad < 1) pad = 1;
  put(b, "%s%*s%s\n", left, pad, "", right);
}

static void centred(buf* b, int width, const char* text) {
  int pad = (width - (int)strlen(text)) / 2;
  if (pad < 0) pad = 0;
  put(b, "%*s%s\n", pad, "", text);
}

static void placed_at(int64_t ms, char* out, size_t cap) {
  time_t s = (time_t)(ms / 1000);
  struct tm tm;
  if (!gmtime_r(&s, &tm) || strftime(out, cap, "%Y-%m-%d %H:%M UTC", &tm) == 0) snprintf(out, cap, "?");
}

static void render_text(buf* b, ticket const* t, int64_t mid, int width) {
  char l[64], r[64], when[32];
  rule(b, '=', width);
  centred(b, width, "KITCHEN TICKET");
  rule(b, '=', width);
  snprintf(l, sizeof l, "Order #%lld", (long long)t->order_id);
  snprintf(r, sizeof r, "%s", t->fulfilment[0] ? t->fulfilment : "?");
  for (char* p = r; *p; ++p) *p = (char)toupper((unsigned char)*p);
  line2(b, width, l, r);
  placed_at(t->placed_at_ms, when, sizeof when);
  line2(b, width, "Placed", when);
  snprintf(r, sizeof r, "#%lld", (long long)mid);
  line2(b, width, "Merchant", r);
  snprintf(r, sizeof r, "#%lld", (long long)t->buyer_id);
  line2(b, width, "Buyer", r);
  if (t->unit_id) {
    snprintf(r, sizeof r, "#%lld", (long long)t->unit_id);
    line2(b, width, "Unit", r);
  }
  if (t->group_buy_id) {
    snprintf(r, sizeof r, "#%lld", (long long)t->group_buy_id);
    line2(b, width, "Group buy", r);
  }
  rule(b, '-', width);
  for (size_t i = 0; i < t->item_count; ++i) {
    char qty[32];
    snprintf(qty, sizeof qty, "%3lld x ", (long long)t->items[i].quantity);
    int room = width - (int)strlen(qty);
    put(b, "%s%.*s\n", qty, room > 0 ? room : 0, t->items[i].name);
  }
  if (t->items_more) put(b, "  + %zu more line%s\n", t->items_more, t->items_more == 1 ? "" : "s");
  if (t->item_count) rule(b, '-', width);
  int64_t c = t->total_cents;
  snprintf(r, sizeof r, "%s%lld.%02lld", c < 0 ? "-" : "", (long long)(llabs(c) / 100), (long long)(llabs(c) % 100));
  line2(b, width, "TOTAL", r);
  rule(b, '=', width);
  put(b, "\n");
}

static void render_json(buf* b, ticket const* t, int width, int64_t mid, int first) {
  buf text = {NULL, 0, 0, 0};
  render_text(&text, t, mid, width);
  if (text.failed) b->failed = 1;
  put(b, "%s{\"event_id\":%lld,\"order_id\":%lld,\"buyer_id\":%lld,\"unit_id\":%lld,\"total_cents\":%lld,"
         "\"fulfilment\":\"%s\",\"group_buy_id\":%lld,\"placed_at_ms\":%lld,\"items_more\":%zu,\"items\":[",
      first ? "" : ",", (long long)t->event_id, (long long)t->order_id, (long long)t->buyer_id,
      (long long)t->unit_id, (long long)t->total_cents, t->fulfilment, (long long)t->group_buy_id,
      (long long)t->placed_at_ms, t->items_more);
  /* Names are ASCII without quotes or backslashes (json_text): safe between quotes. */
  for (size_t i = 0; i < t->item_count; ++i)
    put(b, "%s{\"quantity\":%lld,\"name\":\"%s\"}", i ? "," : "", (long long)t->items[i].quantity, t->items[i].name);
  put(b, "],\"text\":\"");
  /* The text is ASCII without quotes or backslashes: only newlines need escaping. */
  for (size_t i = 0; i < text.size; ++i) {
    if (text.data[i] == '\n')
      put(b, "\\n");
    else
      put(b, "%c", text.data[i]);
  }
  put(b, "\"}");
  free(text.data);
}

/* ---- the route */

static int param_int(const courtyard_request* req, const char* name, int64_t* out) {
  for (size_t i = 0; i < req->param_count; ++i) {
    courtyard_param const* p = &req->params[i];
    if (p->name.size != strlen(name) || memcmp(p->name.data, name, p->name.size) != 0) continue;
    if (p->value.size == 0 || p->value.size > 18) return -1;
    int64_t v = 0;
    for (size_t k = 0; k < p->value.size; ++k) {
      if (!isdigit((unsigned char)p->value.data[k])) return -1;
      v = v * 10 + (p->value.data[k] - '0');
    }
    *out = v;
    return 0;
  }
  return -1;
}

/* The raw value of `name` in the query string (no decoding: the accepted values need none). */
static courtyard_str query_value(courtyard_str q, const char* name) {
  size_t nlen = strlen(name);
  courtyard_str none = {NULL, 0};
  size_t i = 0;
  while (i < q.size) {
    size_t j = i;
    while (j < q.size && q.data[j] != '&') ++j;
    if (j - i > nlen && memcmp(q.data + i, name, nlen) == 0 && q.data[i + nlen] == '=') {
      courtyard_str v = {q.data + i + nlen + 1, j - i - nlen - 1};
      return v;
    }
    i = j + 1;
  }
  return none;
}

static int is(courtyard_str s, const char* lit) { return s.size == strlen(lit) && memcmp(s.data, lit, s.size) == 0; }

static int problem(courtyard_response* res, int status, const char* detail) {
  char body[256];
  int n = snprintf(body, sizeof body,
                   "{\"type\":\"/problems/plugin-error\",\"title\":\"kitchen tickets\",\"status\":%d,\"detail\":\"%s\"}",
                   status, detail);
  res->status = status;
  res->content_type = "application/problem+json";
  return courtyard_set_body(g_host, res, body, (size_t)n) == 0 ? 0 : 1;
}

static int tickets_route(void* user_data, const courtyard_request* req, courtyard_response* res) {
  (void)user_data;
  int64_t mid = 0;
  if (param_int(req, "mid", &mid) != 0) return problem(res, 404, "no such merchant");
  const courtyard_principal* who = &req->principal;
  /* The rule checked the merchant role in {cid}; which merchant is ours to check. */
  if (!who->is_admin && who->merchant_id != mid) return problem(res, 403, "you do not act for this merchant");

  courtyard_str format = query_value(req->query, "format");
  courtyard_str width_s = query_value(req->query, "width");
  int as_json = 0;
  if (format.data && !is(format, "text")) {
    if (!is(format, "json")) return problem(res, 400, "format must be text or json");
    as_json = 1;
  }
  int width = 42;
  if (width_s.data) {
    if (is(width_s, "32"))
      width = 32;
    else if (!is(width_s, "42"))
      return problem(res, 400, "width must be 32 or 42");
  }

  ticket snapshot[KITCHEN_KEEP];
  size_t count = 0;
  pthread_mutex_lock(&g_lock);
  merchant_feed* f = feed_for(req->community_id, mid, 0);
  if (f) {
    size_t held = f->next < KITCHEN_KEEP ? f->next : KITCHEN_KEEP;
    for (size_t i = 0; i < held; ++i) snapshot[count++] = f->ring[(f->next - 1 - i) % KITCHEN_KEEP];
  }
  pthread_mutex_unlock(&g_lock);

  buf b = {NULL, 0, 0, 0};
  if (as_json) {
    put(&b, "{\"community_id\":%lld,\"merchant_id\":%lld,\"width\":%d,\"tickets\":[", (long long)req->community_id,
        (long long)mid, width);
    for (size_t i = 0; i < count; ++i) render_json(&b, &snapshot[i], width, mid, i == 0);
    put(&b, "]}");
  } else {
    for (size_t i = 0; i < count; ++i) render_text(&b, &snapshot[i], mid, width);
  }
  if (b.failed) {
    free(b.data);
    return 1;
  }
  res->status = 200;
  res->content_type = as_json ? "application/json" : "text/plain; charset=utf-8";
  int rc = courtyard_set_body(g_host, res, b.data ? b.data : "", b.size) == 0 ? 0 : 1;
  free(b.data);
  return rc;
}

static const courtyard_route kRoutes[] = {
    {"GET", "/v1/communities/{cid}/merchants/{mid}/kitchen-tickets", "merchant scope=orders:read", tickets_route,
     NULL},
};

static const courtyard_subscription kSubscriptions[] = {
    {"order.placed", on_order_placed, NULL},
};

COURTYARD_PLUGIN_EXPORT uint32_t courtyard_plugin_abi_version(void) { return COURTYARD_PLUGIN_ABI_VERSION; }

COURTYARD_PLUGIN_EXPORT int courtyard_plugin_init(const courtyard_host* host, courtyard_plugin_info* info) {
  g_host = host;
  info->name = "kitchen";
  info->version = "1.0.0";
  info->routes = kRoutes;
  info->route_count = sizeof kRoutes / sizeof kRoutes[0];
  info->subscriptions = kSubscriptions;
  info->subscription_count = sizeof kSubscriptions / sizeof kSubscriptions[0];
  host->log(host, COURTYARD_LOG_INFO, "kitchen plugin ready");
  return 0;
}

COURTYARD_PLUGIN_EXPORT void courtyard_plugin_shutdown(void) {
  pthread_mutex_lock(&g_lock);
  free(g_feeds);
  g_feeds = NULL;
  g_feed_count = g_feed_cap = 0;
  pthread_mutex_unlock(&g_lock);
  g_host = NULL;
}
