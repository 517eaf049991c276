#!/usr/bin/env node
// A tiny static server for the built clients, standing in until Courtyard serves them itself:
// /portal/* and /app/* from dist/ (precompressed .gz when accepted, SPA fallback to the
// page's index.html, immutable caching for hashed assets, the CSP the server will send),
// and /v1/* (HTTP and WebSocket upgrades) proxied to the API. No dependencies.
//   API=http://127.0.0.1:8080 PORT=0 node scripts/serve.mjs   -> prints "web listening on http://HOST:PORT"
import { createServer, request } from "node:http";
import { connect } from "node:net";
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const dist = resolve(fileURLToPath(new URL("../dist", import.meta.url)));
const api = new URL(process.env.API ?? "http://127.0.0.1:8080");
const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? "127.0.0.1";
const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json", ".webmanifest": "application/manifest+json",
  ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".woff2": "font/woff2",
};
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

// The browser's origin is this server; to the API the proxied request must look same-origin
// (the server refuses cookie-signed requests whose Origin is not its Host). A foreign Origin
// is passed on as it came, so the server's cross-origin refusal still applies to it.
function ownOrigin(req) {
  try {
    return !!req.headers.origin && new URL(req.headers.origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function proxy(req, res) {
  const headers = { ...req.headers, host: api.host };
  if (ownOrigin(req)) headers.origin = `${api.protocol}//${api.host}`;
  const up = request({ hostname: api.hostname, port: api.port, method: req.method, path: req.url, headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on("error", () => {
    res.writeHead(502, { "content-type": "application/problem+json" });
    res.end(JSON.stringify({ type: "/problems/bad-gateway", title: "Bad gateway", status: 502, detail: "API unreachable" }));
  });
  req.pipe(up);
}

function serveFile(req, res, file, status = 200) {
  const type = types[extname(file)] ?? "application/octet-stream";
  const hashed = /\/assets\//.test(file);
  const headers = {
    "content-type": type,
    "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    vary: "Accept-Encoding",
  };
  if (file.endsWith("sw.js")) headers["service-worker-allowed"] = "/app/";
  const gz = file + ".gz";
  const wantsGzip = /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
  const use = wantsGzip && existsSync(gz) ? gz : file;
  if (use === gz) headers["content-encoding"] = "gzip";
  const st = statSync(use);
  headers["content-length"] = st.size;
  headers.etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}${use === gz ? "-gz" : ""}"`;
  if (req.headers["if-none-match"] === headers.etag) {
    res.writeHead(304, headers);
    return res.end();
  }
  res.writeHead(status, headers);
  if (req.method === "HEAD") return res.end();
  createReadStream(use).pipe(res);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname.startsWith("/v1/") || url.pathname === "/healthz" || url.pathname === "/readyz") return proxy(req, res);
  if (url.pathname === "/") {
    res.writeHead(302, { location: "/app/" });
    return res.end();
  }
  const m = url.pathname.match(/^\/(portal|app)(\/.*)?$/);
  if (!m) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("not found");
  }
  if (!m[2]) {
    res.writeHead(301, { location: `/${m[1]}/` });
    return res.end();
  }
  const root = join(dist, m[1]);
  const file = normalize(join(root, decodeURIComponent(m[2])));
  if (file.startsWith(root) && existsSync(file) && statSync(file).isFile()) return serveFile(req, res, file);
  if (/\/assets\//.test(m[2]) || extname(m[2])) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("not found");
  }
  serveFile(req, res, join(root, "index.html")); // SPA fallback
});

server.on("upgrade", (req, socket, head) => {
  const up = connect(Number(api.port), api.hostname, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i];
      const lk = k.toLowerCase();
      lines.push(`${k}: ${lk === "host" ? api.host : lk === "origin" && ownOrigin(req) ? `${api.protocol}//${api.host}` : req.rawHeaders[i + 1]}`);
    }
    up.write(lines.join("\r\n") + "\r\n\r\n");
    if (head?.length) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  up.on("error", () => socket.destroy());
  socket.on("error", () => up.destroy());
});

server.listen(port, host, () => {
  const a = server.address();
  console.log(`web listening on http://${host}:${a.port}`);
});
