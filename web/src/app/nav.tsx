// The way back from a page, and a page's heading with it.
import type { ComponentChildren } from "preact";
import { t } from "../lib/i18n";
import { A } from "./state";

export function Back({ to = `${A}/property`, label = t("tabs.property") }: { to?: string; label?: string }) {
  return (
    <a class="back" href={to}>
      ‹ {label}
    </a>
  );
}

export function PageHead({ to, back, title }: { to: string; back: string; title: ComponentChildren }) {
  return (
    <header class="page-head">
      <Back to={to} label={back} />
      <h1>{title}</h1>
    </header>
  );
}
