// Referral codes: a neighbour's share link (the server's `share.path`, under /app/ instead of
// /v1/) carries `?referral_code=`; the app keeps it (this phone only, not a secret) until the
// next checkout in that community sends it as `referral_code`.
import { signal } from "@preact/signals";
import { api, ok, type Schemas } from "../api/client";
import { useState } from "preact/hooks";
import { t } from "../lib/i18n";
import { cid } from "../lib/session";
import { Button, ErrorNote, useAction } from "../ui/kit";

export type Referral = { code: string; community_id: number };
const KEY = "cy.referral";

function load(): Referral | null {
  try {
    const r = JSON.parse(localStorage.getItem(KEY) || "null");
    return r && typeof r.code === "string" ? r : null;
  } catch {
    return null;
  }
}

export const referral = signal<Referral | null>(load());

export function forgetReferral() {
  referral.value = null;
  localStorage.removeItem(KEY);
}

/** On start: a `referral_code` in the URL is kept and taken out of the address bar. */
export function captureReferral(loc: Location = location) {
  const params = new URLSearchParams(loc.search);
  const code = params.get("referral_code")?.trim();
  if (!code) return;
  const m = loc.pathname.match(/\/communities\/(\d+)\//);
  const r: Referral = { code, community_id: m ? Number(m[1]) : 0 };
  referral.value = r;
  localStorage.setItem(KEY, JSON.stringify(r));
  params.delete("referral_code");
  const rest = params.toString();
  history.replaceState(history.state, "", loc.pathname + (rest ? `?${rest}` : "") + loc.hash);
}

/** The code to send with a checkout in community `c` (a code of another community is not). */
export function referralFor(c: number): string | undefined {
  const r = referral.value;
  return r && (!r.community_id || r.community_id === c) ? r.code : undefined;
}

/** The app's URL for the server's share path: /v1/communities/… -> /app/communities/… */
export function appLink(path: string): string {
  return `${location.origin}/app${path.replace(/^\/v1(?=\/)/, "")}`;
}

export type ShareTarget = { merchant_id: number; product_id: number } | { group_buy_id: number };

/** My code (made on first use) and the link for a product or group buy. */
export async function shareLink(target: ShareTarget): Promise<{ code: string; url: string }> {
  const r = (await ok(api.POST("/v1/communities/{cid}/referral-code", { params: { path: { cid: cid.value } }, body: target }))) as Schemas["ReferralCode"];
  const share = r.share as { path?: string } | null | undefined;
  return { code: r.code, url: share?.path ? appLink(share.path) : `${location.origin}/app/?referral_code=${encodeURIComponent(r.code)}` };
}

/** "Share with a neighbour": my referral code and the link (system share sheet, else copied). */
export function ShareWithCode({ target, title, text }: { target: ShareTarget; title: string; text: string }) {
  const [link, setLink] = useState<{ code: string; url: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const a = useAction();
  const share = () =>
    a.run(async () => {
      const l = link ?? (await shareLink(target));
      setLink(l);
      try {
        if (navigator.share) await navigator.share({ title, text, url: l.url });
        else {
          await navigator.clipboard?.writeText(`${text} ${l.url}`);
          setCopied(true);
        }
      } catch {
        /* dismissed, or no clipboard: the link is shown below */
      }
    });
  return (
    <div class="share">
      <Button class="wide" busy={a.busy} onClick={share}>
        {t("referral.share")}
      </Button>
      <ErrorNote error={a.error} />
      {link && (
        <p class="meta" role="status">
          {t("referral.yourCode")} <strong class="code-inline" data-testid="referral-code">{link.code}</strong>
          {copied && <> · {t("referral.copied")}</>}
          <br />
          <a href={link.url} data-testid="share-link" class="share-link">
            {link.url}
          </a>
        </p>
      )}
    </div>
  );
}
