#!/usr/bin/env node
// Produce the merged OpenAPI document the web clients are typed from.
//
//   node scripts/openapi.mjs                 merge ../gateway/openapi.json + ../services/*/openapi.json
//   node scripts/openapi.mjs http://h:p      fetch http://h:p/v1/openapi.json from a running server
//   node scripts/openapi.mjs URL|--out FILE  (default output: build/openapi.json)
//
// The merge mirrors the server: objects are merged recursively, the gateway fragment first
// and then the services in sorted path order; for non-object values the later fragment wins.
// No dependencies: only node: built-ins.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, "..");
const repo = resolve(web, "..");

const args = process.argv.slice(2);
let out = join(web, "build", "openapi.json");
let source = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--out") out = resolve(args[++i]);
  else source = args[i];
}

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function deepMerge(into, from) {
  for (const [k, v] of Object.entries(from)) {
    if (isObject(v) && isObject(into[k])) deepMerge(into[k], v);
    else into[k] = isObject(v) ? deepMerge({}, v) : v;
  }
  return into;
}

async function fromServer(url) {
  const base = url.replace(/\/+$/, "");
  const full = base.endsWith("/v1/openapi.json") ? base : `${base}/v1/openapi.json`;
  const res = await fetch(full);
  if (!res.ok) throw new Error(`${full} answered ${res.status}`);
  return res.json();
}

function fromFragments() {
  const files = [join(repo, "gateway", "openapi.json")];
  const servicesDir = join(repo, "services");
  const services = readdirSync(servicesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(servicesDir, d.name, "openapi.json"))
    .filter((f) => existsSync(f))
    .sort();
  files.push(...services);
  const doc = {};
  for (const f of files) {
    if (!existsSync(f)) throw new Error(`missing OpenAPI fragment ${f}`);
    deepMerge(doc, JSON.parse(readFileSync(f, "utf8")));
  }
  return { doc, files };
}

const { doc, files } = source ? { doc: await fromServer(source), files: [source] } : fromFragments();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(doc, null, 2) + "\n");
const ops = Object.values(doc.paths ?? {}).reduce(
  (n, item) => n + Object.keys(item).filter((m) => ["get", "put", "post", "patch", "delete"].includes(m)).length,
  0,
);
console.log(`openapi: ${files.length} source(s), ${Object.keys(doc.paths ?? {}).length} paths, ${ops} operations -> ${out}`);
