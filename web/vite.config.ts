import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync, constants } from "node:zlib";

const root = resolve(import.meta.dirname);
const outDir = resolve(root, "dist");
const pages = ["portal", "app"] as const;

// One multi-page build. Every JS chunk imports its siblings by relative URL, so the shared
// `assets/` directory works from any prefix: after the bundle is written it is copied under
// each page (dist/portal/assets, dist/app/assets) and the HTML points at its own copy. The
// server then only has to serve /portal/ and /app/.
function assetsPerPage(): Plugin {
  return {
    name: "courtyard:assets-per-page",
    apply: "build",
    writeBundle: {
      order: "post",
      sequential: true,
      handler() {
        const shared = join(outDir, "assets");
        if (!existsSync(shared)) return;
        for (const p of pages) cpSync(shared, join(outDir, p, "assets"), { recursive: true });
        rmSync(shared, { recursive: true, force: true });
      },
    },
  };
}

// Precompressed .gz next to every text asset (the server sends it when the client accepts gzip).
function gzipAssets(): Plugin {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const f = join(dir, n);
      return statSync(f).isDirectory() ? walk(f) : [f];
    });
  return {
    name: "courtyard:gzip",
    apply: "build",
    enforce: "post",
    closeBundle: {
      order: "post",
      sequential: true,
      handler() {
        for (const f of walk(outDir)) {
          if (!/\.(js|mjs|css|html|svg|json|webmanifest|txt|map)$/.test(f)) continue;
          const src = readFileSync(f);
          if (src.length < 256) continue;
          writeFileSync(f + ".gz", gzipSync(src, { level: constants.Z_BEST_COMPRESSION }));
        }
      },
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  publicDir: "public",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  experimental: {
    // HTML gets an absolute URL into its own page's copy of assets/; JS and CSS refer to
    // each other relatively (see assetsPerPage).
    renderBuiltUrl(filename, { hostType, hostId }) {
      if (hostType === "html") {
        // public/portal/* and public/app/* already carry their page prefix
        if (/^(portal|app)\//.test(filename)) return `/${filename}`;
        const page = hostId.replace(/\\/g, "/").includes("portal/") ? "portal" : "app";
        return `/${page}/${filename}`;
      }
      return { relative: true };
    },
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    assetsDir: "assets",
    sourcemap: false,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        portal: resolve(root, "portal/index.html"),
        app: resolve(root, "app/index.html"),
      },
    },
  },
  server: {
    proxy: {
      "/v1": { target: process.env.COURTYARD_API ?? "http://127.0.0.1:8080", ws: true, changeOrigin: false },
    },
  },
  plugins: [
    assetsPerPage(),
    VitePWA({
      // Only the resident app is a PWA: its worker lives at /app/sw.js with scope /app/ and
      // precaches the app shell (dist/app/**). The manifest is a static file in public/app/.
      outDir: resolve(outDir, "app"),
      filename: "sw.js",
      scope: "/app/",
      base: "/app/",
      manifest: false,
      injectRegister: false,
      registerType: "autoUpdate",
      integration: { closeBundleOrder: "pre" },
      workbox: {
        globDirectory: resolve(outDir, "app"),
        // the portal's own chunks (and chart.js) are not part of the resident app shell
        globIgnores: ["assets/portal-*", "assets/chart-*", "**/*.gz"],
        globPatterns: ["index.html", "assets/**/*.{js,css,svg,png,woff2}", "icons/*.{svg,png}", "manifest.webmanifest"],
        navigateFallback: "/app/index.html",
        navigateFallbackAllowlist: [/^\/app\//],
        navigateFallbackDenylist: [/^\/v1\//],
        modifyURLPrefix: { "": "/app/" },
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        runtimeCaching: [],
      },
    }),
    gzipAssets(),
  ],
});
