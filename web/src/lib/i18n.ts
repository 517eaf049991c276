// Translations: English and Simplified Chinese, bundled (both are small). `t` reads the
// locale signal so components re-render when the language changes.
import i18next from "i18next";
import { en } from "../locales/en";
import { zhCN } from "../locales/zh-CN";
import { locale } from "./format";

export const languages = [
  { code: "en", label: "English" },
  { code: "zh-CN", label: "简体中文" },
] as const;

function initial(): string {
  const saved = localStorage.getItem("cy.lang");
  if (saved === "en" || saved === "zh-CN") return saved;
  return navigator.language?.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

const lng = initial();
i18next.init({
  lng,
  fallbackLng: "en",
  resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
  interpolation: { escapeValue: false },
  initAsync: false,
  showSupportNotice: false,
} as Parameters<typeof i18next.init>[0]);
locale.value = lng;
document.documentElement.lang = lng;

export function t(key: string, opts?: Record<string, unknown>): string {
  void locale.value; // subscribe
  return i18next.t(key, opts) as string;
}

export function exists(key: string): boolean {
  return i18next.exists(key);
}

export function setLanguage(code: string) {
  localStorage.setItem("cy.lang", code);
  i18next.changeLanguage(code);
  document.documentElement.lang = code;
  locale.value = code;
}
