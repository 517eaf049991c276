#!/usr/bin/env node
// Merges the OpenAPI fragments into the one document the server serves at
// GET /v1/openapi.json, exactly as merged_openapi() in gateway/app.cpp does:
// gateway/openapi.json first, then services/*/openapi.json in sorted path order;
// objects are merged key by key recursively, any other value of a later fragment
// replaces the earlier one.
//
//   node tools/openapi/merge.mjs [OUT]     (writes to stdout without OUT)
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function fragmentPaths() {
  const services = join(root, 'services');
  const list = readdirSync(services, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(services, d.name, 'openapi.json'))
    .filter((p) => existsSync(p))
    .sort(); // CMake's file(GLOB) sorts lexicographically too
  return [join(root, 'gateway', 'openapi.json'), ...list];
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function mergeInto(dst, src) {
  for (const [k, v] of Object.entries(src)) {
    if (isObject(dst[k]) && isObject(v)) mergeInto(dst[k], v);
    else dst[k] = v;
  }
}

export function merged() {
  const doc = {};
  for (const path of fragmentPaths()) {
    let frag;
    try {
      frag = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`${path}: ${e.message}`);
    }
    if (!isObject(frag)) throw new Error(`${path}: an OpenAPI fragment must be a JSON object`);
    mergeInto(doc, frag);
  }
  return doc;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const text = JSON.stringify(merged(), null, 2) + '\n';
    if (process.argv[2]) writeFileSync(process.argv[2], text);
    else process.stdout.write(text);
  } catch (e) {
    console.error(`merge.mjs: ${e.message}`);
    process.exit(1);
  }
}
