#include "gateway/static_files.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace courtyard::gateway {

namespace fs = std::filesystem;

namespace {

constexpr char const* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'";

std::string read_file(fs::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string content_type(std::string const& ext) {
  static std::map<std::string, std::string, std::less<>> const types{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".wav", "audio/wav"},
      {".mp3", "audio/mpeg"},
  };
  auto it = types.find(ext);
  return it == types.end() ? "application/octet-stream" : it->second;
}

std::string etag_of(std::string const& body) {
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<unsigned char const*>(body.data()), body.size(), nullptr,
                     0);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, digest, 16);
  return "\"" + std::string(hex) + "\"";
}

bool accepts_gzip(http::Request const& req) {
  auto ae = req.header("accept-encoding");
  return ae && ae->find("gzip") != std::string_view::npos;
}

bool etag_matches(std::string_view if_none_match, std::string const& etag) {
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

std::string StaticFiles::default_root() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (fs::path candidate : {exe.parent_path() / "web", exe.parent_path().parent_path() / "web" / "dist"}) {
    if (fs::is_directory(candidate, ec)) return candidate.string();
  }
  return {};
}

StaticFiles::StaticFiles(std::string const& root) {
  if (root.empty()) return;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw std::invalid_argument("web-root '" + root + "' is not a directory");
  for (std::string client : {"portal", "app"}) {
    fs::path dir = fs::path(root) / client;
    if (!fs::is_directory(dir, ec)) continue;
    prefixes_.push_back("/" + client + "/");
    for (auto const& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      auto const& p = entry.path();
      if (p.extension() == ".gz") continue;
      std::string rel = fs::relative(p, dir).generic_string();
      File f;
      f.body = read_file(p);
      fs::path gz = p;
      gz += ".gz";
      if (fs::exists(gz, ec)) f.gz = read_file(gz);
      f.content_type = content_type(p.extension().string());
      f.etag = etag_of(f.body);
      f.immutable = rel.starts_with("assets/");
      files_.emplace("/" + client + "/" + rel, std::move(f));
    }
  }
  spdlog::debug("web: {} files under {}", files_.size(), root);
}

bool StaticFiles::handles(std::string_view method, std::string_view path) const {
  if (method != "GET" && method != "HEAD") return false;
  if (path == "/" && !prefixes_.empty()) return true;
  for (auto const& p : prefixes_)
    if (path.starts_with(p) || path == std::string_view(p).substr(0, p.size() - 1)) return true;
  return false;
}

std::optional<http::Response> StaticFiles::serve(http::Request const& req) const {
  if (!handles(req.method, req.path)) return std::nullopt;
  http::Response r;
  r.headers.emplace_back("Content-Security-Policy", kCsp);
  if (req.path == "/") {
    // A browser landing on the server goes to the resident app; the portal is one link away.
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", "/app/");
    r.body = "see /app/ (residents) or /portal/ (managers and merchants)\n";
    return r;
  }
  std::string path = req.path;
  for (auto const& p : prefixes_) {
    if (path == p.substr(0, p.size() - 1)) {
      r.status = 301;
      r.headers.emplace_back("Location", p);
      return r;
    }
  }
  auto it = files_.find(path);
  if (it == files_.end() && path.ends_with("/")) it = files_.find(path + "index.html");
  if (it == files_.end()) {
    auto last = path.substr(path.rfind('/') + 1);
    if (last.find('.') != std::string::npos) {
      r.status = 404;
      r.content_type = "text/plain; charset=utf-8";
      r.body = "not found\n";
      return r;
    }
    for (auto const& p : prefixes_)
      if (path.starts_with(p)) it = files_.find(p + "index.html");  // client-side route
    if (it == files_.end()) return std::nullopt;
  }
  File const& f = it->second;
  r.headers.emplace_back("ETag", f.etag);
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("Cache-Control", f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.content_type = f.content_type;
  if (auto inm = req.header("if-none-match"); inm && etag_matches(*inm, f.etag)) {
    r.status = 304;
    return r;
  }
  if (!f.gz.empty() && accepts_gzip(req)) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = f.gz;
  } else {
    r.body = f.body;
  }
  return r;
}

}  // namespace courtyard::gateway
