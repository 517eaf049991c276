#include "gateway/net/notifier.hpp"

#include "db/tx.hpp"
#include "gateway/net/message.hpp"
#include "gateway/net/server.hpp"
#include "http/session_cookie.hpp"
#include "services/notifications/api.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace courtyard::gateway::net {

namespace asio = boost::asio;

namespace {

// New rows read per poll at most; when a poll reads this many, the next one runs at once.
constexpr int kMaxRowsPerPoll = 20000;

std::string token_of(BeastRequest const& req) {
  auto target = req.target();
  if (auto url = boost::urls::parse_origin_form(std::string_view(target.data(), target.size()))) {
    for (auto const& p : url->params())
      if (p.key == "token" && p.has_value && !p.value.empty()) return std::string(p.value);
  }
  auto authz = req[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (authz.size() > kBearer.size() && strncasecmp(authz.data(), kBearer.data(), kBearer.size()) == 0)
    return std::string(authz.substr(kBearer.size()));
  // A browser page of this server: the session cookie, accepted only from our own origin
  // (a WebSocket upgrade is not subject to CORS, so another site could otherwise open one).
  auto cookie = req[http::field::cookie];
  if (!cookie.empty()) {
    courtyard::http::Request probe;
    probe.headers.emplace_back("cookie", std::string(cookie));
    auto value = courtyard::http::session_cookie::read(probe, courtyard::http::session_cookie::kSession);
    if (value && !value->empty() &&
        courtyard::http::session_cookie::same_origin(req[http::field::origin], req[http::field::host]))
      return *value;
  }
  return {};
}

struct PendingUpgrade {
  beast::tcp_stream stream;
  BeastRequest req;
  ConnectionSlot slot;
  std::string token;
  std::optional<Principal> principal;
  bool storage_failed = false;
};

}  // namespace

Notifier::Notifier(App& app, Authenticator auth, RealtimeOptions options)
    : app_(app),
      auth_(std::move(auth)),
      options_(options),
      registry_(std::make_shared<SocketRegistry>(app.metrics(), options)) {}

Notifier::~Notifier() { stop(); }

void Notifier::attach(Server& server) {
  server.set_websocket_upgrade(
      [this](beast::tcp_stream&& stream, BeastRequest&& req, ConnectionSlot&& slot) {
        upgrade(std::move(stream), std::move(req), std::move(slot));
      });
  server.on_stop([this] {
    stopping_ = true;
    close_all();
  });
}

void Notifier::upgrade(beast::tcp_stream&& stream, BeastRequest&& req, ConnectionSlot&& slot) {
  stream.expires_never();
  unsigned version = req.version();
  std::string rid = request_id_for(req);
  auto reject = [&](int status, std::string_view slug, std::string_view title, std::string_view detail) {
    auto r = net_problem(status, slug, title, detail, rid);
    if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
    if (status == 503 || status == 429) r.headers.emplace_back("Retry-After", "1");
    reject_upgrade(std::move(stream), version, std::move(r), std::move(slot));
  };
  if (stopping_) return reject(503, "unavailable", "Service unavailable", "the server is shutting down");
  std::string token = token_of(req);
  if (token.empty())
    return reject(401, "unauthorized", "Unauthorized", "send the token as Authorization: Bearer, ?token=, or the session cookie");
  if (pending_auth_.fetch_add(1) >= options_.max_pending_auth) {
    pending_auth_.fetch_sub(1);
    return reject(503, "overloaded", "Service unavailable", "too many connections being set up; retry shortly");
  }

  // Checking the token reads storage (blocking): not on the I/O thread.
  auto p = std::make_shared<PendingUpgrade>(PendingUpgrade{std::move(stream), std::move(req), std::move(slot), std::move(token), {}, false});
  // The stream has no deadline of its own while the token is checked: bounded by storage
  // (a pool wait ends in db::Unavailable), and the session sets its handshake timeout.
  asio::post(auth_pool_, [this, p, rid] {
    try {
      p->principal = auth_ ? auth_(app_.db(), p->token) : std::nullopt;
    } catch (std::exception const& e) {
      spdlog::warn("ws: token check failed: {}", e.what());
      p->storage_failed = true;
    }
    pending_auth_.fetch_sub(1);
    asio::post(p->stream.get_executor(), [this, p, rid] {
      unsigned version = p->req.version();
      auto reject = [&](int status, std::string_view slug, std::string_view title, std::string_view detail) {
        auto r = net_problem(status, slug, title, detail, rid);
        if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
        if (status == 503 || status == 429) r.headers.emplace_back("Retry-After", "1");
        reject_upgrade(std::move(p->stream), version, std::move(r), std::move(p->slot));
      };
      if (p->storage_failed) return reject(503, "unavailable", "Service unavailable", "storage is not reachable");
      if (stopping_) return reject(503, "unavailable", "Service unavailable", "the server is shutting down");
      if (!p->principal || !p->principal->authenticated())
        return reject(401, "unauthorized", "Unauthorized", "the token is unknown or expired");
      if (p->principal->kind != Principal::Kind::Session || p->principal->account_id <= 0)
        return reject(403, "forbidden", "Forbidden", "notifications are for signed-in accounts, not API keys");
      auto session = std::make_shared<WebSocketSession>(std::move(p->stream), registry_, std::move(p->token),
                                                        *p->principal, std::move(p->slot));
      // The per-account cap is checked and the socket registered in one step.
      if (!registry_->try_join(session->account_id(), session)) {
        auto r = net_problem(429, "too-many-sockets", "Too many requests",
                             "this account already has " + std::to_string(options_.max_sockets_per_account) +
                                 " open sockets",
                             rid);
        r.headers.emplace_back("Retry-After", "1");
        return session->refuse(version, std::move(r));
      }
      session->run(std::move(p->req));
    });
  });
}

void Notifier::close_all() {
  for (auto const& s : registry_->snapshot_all()) s->close();
}

bool Notifier::start_cursor() {
  if (cursor_set_) return false;
  cursor_ = notifications::max_id(app_.db());
  cursor_set_ = true;
  return true;
}

int Notifier::poll_once() {
  std::lock_guard poll(poll_mu_);
  std::int64_t now = db::now_ms();
  if (start_cursor()) return 0;
  // Gaps found longer than `window` ago cannot fill any more: close them.
  for (auto it = gaps_.begin(); it != gaps_.end();)
    it = it->second.found_at < now - options_.window.count() ? gaps_.erase(it) : std::next(it);

  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  ranges.reserve(gaps_.size());
  for (auto const& [first, g] : gaps_) ranges.emplace_back(first, g.last);
  auto late = notifications::in_id_ranges(app_.db(), ranges);
  auto fresh = notifications::created_after(app_.db(), cursor_, kMaxRowsPerPoll);
  rows_read_ += late.size() + fresh.size();
  if (late.empty() && fresh.empty()) return 0;

  std::vector<std::int64_t> wanted;
  for (auto const* rows : {&late, &fresh})
    for (auto const& r : *rows)
      if (registry_->has(r.account_id)) wanted.push_back(r.id);
  // Fetch before updating the cursor and gaps: if storage fails now, the next poll tries again.
  auto full = notifications::by_ids(app_.db(), wanted);

  // Cut each late row out of its gap.
  for (auto const& r : late) {
    auto it = gaps_.upper_bound(r.id);
    if (it == gaps_.begin()) continue;
    --it;
    if (r.id > it->second.last) continue;
    Gap g = it->second;
    std::int64_t first = it->first;
    gaps_.erase(it);
    if (first < r.id) gaps_.emplace(first, Gap{r.id - 1, g.found_at});
    if (r.id < g.last) gaps_.emplace(r.id + 1, Gap{g.last, g.found_at});
  }
  // The ids the cursor steps over without a row are new gaps.
  for (auto const& r : fresh) {
    if (r.id > cursor_ + 1) gaps_.emplace(cursor_ + 1, Gap{r.id - 1, now});
    cursor_ = std::max(cursor_, r.id);
  }
  if (fresh.size() >= static_cast<std::size_t>(kMaxRowsPerPoll)) wake();

  int sent = 0;
  for (auto& n : full) {
    std::int64_t account = n.at("account_id").as_int64();
    auto message = std::make_shared<std::string const>(
        boost::json::serialize(boost::json::object{{"type", "notification"}, {"notification", std::move(n)}}));
    for (auto const& s : registry_->snapshot(account)) {
      s->send(message);
      ++sent;
    }
  }
  return sent;
}

std::size_t Notifier::open_gaps() const {
  std::lock_guard poll(poll_mu_);
  return gaps_.size();
}

void Notifier::wake() {
  {
    std::lock_guard lk(run_mu_);
    wake_ = true;
  }
  run_cv_.notify_all();
}

int Notifier::revalidate_once() {
  // Sessions stay alive while listed here, so the views into their credentials stay valid.
  auto sockets = registry_->snapshot_all();
  std::unordered_map<std::string_view, std::vector<WebSocketSession*>> by_credential;
  for (auto const& s : sockets) by_credential[s->credential()].push_back(s.get());

  int closed = 0;
  for (auto const& [credential, held] : by_credential) {
    if (stopping_) break;
    std::optional<Principal> now;
    try {
      now = auth_ ? auth_(app_.db(), credential) : std::nullopt;
    } catch (std::exception const& e) {
      // Storage trouble is not the client's fault: keep the sockets, check again next period.
      spdlog::warn("ws: revalidating a socket's credential failed: {}", e.what());
      continue;
    }
    for (auto* s : held) {
      if (char const* why = s->no_longer_allowed(now)) {
        spdlog::info("ws: closing a socket of account {}: {}", s->account_id(), why);
        s->close(beast::websocket::close_reason(static_cast<beast::websocket::close_code>(kCloseSessionEnded), why));
        ++closed;
      }
    }
  }
  return closed;
}

void Notifier::start() {
  std::lock_guard start(start_mu_);
  if (thread_.joinable()) return;
  {
    std::lock_guard lk(run_mu_);
    run_stop_ = false;
  }
  watch_ = notifications::watch_local_writes([this] { wake(); });
  // The cursor starts here, not in the thread's first poll: a row committed after start()
  // returns is above it, however late that thread first runs. (If storage cannot be read now,
  // the first poll starts it.)
  try {
    std::lock_guard poll(poll_mu_);
    start_cursor();
  } catch (std::exception const& e) {
    spdlog::warn("ws notifier: reading where notifications start failed: {}", e.what());
  }
  thread_ = std::thread([this] { loop(); });
  revalidate_thread_ = std::thread([this] { revalidate_loop(); });
}

void Notifier::revalidate_loop() {
  std::unique_lock lk(run_mu_);
  while (!run_stop_) {
    run_cv_.wait_for(lk, options_.revalidate, [this] { return run_stop_; });
    if (run_stop_) break;
    lk.unlock();
    try {
      revalidate_once();
    } catch (std::exception const& e) {
      spdlog::warn("ws: revalidation failed: {}", e.what());
    }
    lk.lock();
  }
}

void Notifier::loop() {
  std::unique_lock lk(run_mu_);
  while (!run_stop_) {
    lk.unlock();
    try {
      poll_once();
    } catch (std::exception const& e) {
      spdlog::warn("ws notifier: poll failed: {}", e.what());
    }
    lk.lock();
    run_cv_.wait_for(lk, options_.poll, [this] { return run_stop_ || wake_; });
    wake_ = false;
  }
}

void Notifier::stop() {
  std::lock_guard start(start_mu_);
  stopping_ = true;
  if (watch_) {
    notifications::unwatch_local_writes(watch_);
    watch_ = 0;
  }
  {
    std::lock_guard lk(run_mu_);
    run_stop_ = true;
  }
  run_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (revalidate_thread_.joinable()) revalidate_thread_.join();
  if (!auth_joined_) {
    auth_joined_ = true;
    auth_pool_.join();
  }
}

}  // namespace courtyard::gateway::net
