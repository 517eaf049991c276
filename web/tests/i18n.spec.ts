import { expect, test } from "@playwright/test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { en } from "../src/locales/en";
import { zhCN } from "../src/locales/zh-CN";

function keys(obj: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === "object" ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
function value(obj: any, key: string) {
  return key.split(".").reduce((o, k) => o?.[k], obj);
}
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

test("English and Simplified Chinese have the same keys, none empty", () => {
  const a = keys(en).sort();
  const b = keys(zhCN as any).sort();
  expect(b.filter((k) => !a.includes(k)), "keys only in zh-CN").toEqual([]);
  expect(a.filter((k) => !b.includes(k)), "keys missing from zh-CN").toEqual([]);
  for (const k of a) {
    expect(String(value(en, k)).trim(), `en ${k}`).not.toBe("");
    expect(String(value(zhCN, k)).trim(), `zh-CN ${k}`).not.toBe("");
    // the same interpolations on both sides
    const vars = (s: string) => (s.match(/{{\w+}}/g) ?? []).sort().join();
    expect(vars(String(value(zhCN, k))), `placeholders of ${k}`).toBe(vars(String(value(en, k))));
  }
});

test("every literal key used in the source exists in English", () => {
  const src = join(import.meta.dirname, "..", "src");
  const used = new Set<string>();
  for (const f of walk(src).filter((f) => /\.tsx?$/.test(f))) {
    for (const m of readFileSync(f, "utf8").matchAll(/\bt\("([a-zA-Z][\w.-]*)"/g)) used.add(m[1]);
  }
  const missing = [...used].filter((k) => value(en, k) === undefined);
  expect(missing).toEqual([]);
  expect(used.size).toBeGreaterThan(100);
});
