#pragma once
// The built web clients, served by Courtyard itself: web-root/portal at /portal/ and
// web-root/app at /app/. Files are read once at start-up into memory (with their .gz
// siblings and ETags), so serving never blocks and runs on the I/O thread.
//   - Content-Type by extension; ETag + If-None-Match -> 304;
//   - `Cache-Control: public, max-age=31536000, immutable` for hashed assets (…/assets/…),
//     `no-cache` for everything else (index.html, sw.js, the manifest);
//   - the precompressed .gz when the client accepts gzip (Vary: Accept-Encoding);
//   - unknown paths without a file extension under a prefix -> that prefix's index.html
//     (client-side routing); unknown files -> 404;
//   - a strict Content-Security-Policy (no inline scripts) on every answer.
#include "http/message.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace courtyard::gateway {

class StaticFiles {
 public:
  // `root` holds one folder per client (portal/, app/). Missing folders are skipped; an empty
  // root serves nothing (the API works without the web clients).
  explicit StaticFiles(std::string const& root);
  // The answer for a GET/HEAD under a mounted prefix or `/`; nullopt when the path is not ours.
  std::optional<http::Response> serve(http::Request const& req) const;
  // True when serve() would answer this path (the server runs it on the I/O thread).
  bool handles(std::string_view method, std::string_view path) const;
  std::vector<std::string> const& prefixes() const { return prefixes_; }
  std::size_t file_count() const { return files_.size(); }

  // The directory next to the binary where the build puts the web clients, if any.
  static std::string default_root();

 private:
  struct File {
    std::string body;
    std::string gz;
    std::string content_type;
    std::string etag;
    bool immutable = false;
  };
  std::map<std::string, File, std::less<>> files_;  // "/portal/index.html" -> file
  std::vector<std::string> prefixes_;               // "/portal/", "/app/"
};

}  // namespace courtyard::gateway
