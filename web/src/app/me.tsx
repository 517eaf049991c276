// Me: wallet and statement, points and tier, privacy choices, my data, language, sign out.
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { ApiError, api, ok, type Schemas } from "../api/client";
import { t } from "../lib/i18n";
import { cid, community, me } from "../lib/session";
import { Button, ErrorNote, Money, Section, Skeleton, Time, useAction, useLoad } from "../ui/kit";
import { LanguagePicker } from "../ui/LanguagePicker";
import { SignOut } from "../ui/SignIn";
import { A, leave } from "./state";

/** One line of a statement: what and when, and the amount (red when it went out). */
function Posting({ what, at, negative, children }: { what: string; at?: string; negative: boolean; children: ComponentChildren }) {
  return (
    <li class="row between">
      <span>
        {what}
        <br />
        <small>
          <Time at={at} />
        </small>
      </span>
      <span class={negative ? "neg" : "pos"}>{children}</span>
    </li>
  );
}

export function MePage() {
  const { data, error } = useLoad(() => ok(api.GET("/v1/me/wallet", { params: { query: { community_id: cid.value, limit: 20 } as never } })), [cid.value]);
  return (
    <div class="page">
      <header class="page-head">
        <h1>{me.value?.display_name}</h1>
        <p class="meta">
          {me.value?.email} · {community.value?.name}
        </p>
      </header>
      <Section id="wallet-h" class="card" title={t("me.wallet")}>
        <ErrorNote error={error} />
        {!data ? (
          <Skeleton lines={3} />
        ) : (
          <>
            <p class="big" data-testid="wallet-balance">
              <Money cents={data.balance_cents} />
            </p>
            <h3>{t("me.statement")}</h3>
            <ul class="plain list">
              {data.entries.map((e) => (
                <Posting what={t(`me.kind.${e.kind}`, { defaultValue: e.kind })} at={e.created_at} negative={(e.amount_cents ?? 0) < 0}>
                  <Money cents={e.amount_cents} />
                </Posting>
              ))}
            </ul>
          </>
        )}
      </Section>
      <Points />
      <MyReferralCode />
      <NotificationPrefs />
      <Privacy />
      <Section id="settings-h" class="card" title={t("me.settings")}>
        <LanguagePicker />
      </Section>
      <p>
        <a href={`${A}/codes`} class="button wide">
          {t("codes.title")}
        </a>
      </p>
      <SignOut class="wide" leave={leave} home={`${A}/`} />
    </div>
  );
}

/** Points, tier and its progress, points about to expire, and the latest postings. */
function Points() {
  const { data, error } = useLoad(() => ok(api.GET("/v1/me/membership", { params: { query: { community_id: cid.value } } })), [cid.value]);
  const m = data?.communities?.[0] as Schemas["Membership"] | undefined;
  const next = m?.next_tier;
  const progress = next && next.threshold ? Math.min(1, (m?.earned_12m ?? 0) / next.threshold) : 1;
  return (
    <Section id="points-h" class="card" title={t("me.points")}>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={3} />
      ) : !m ? (
        <p class="hint">{t("me.noProgramme")}</p>
      ) : (
        <>
          <p class="big" data-testid="points-balance">
            {t("me.pointsCount", { count: m.points ?? 0 })}
          </p>
          <p>
            {m.tier ? t("me.tier", { name: m.tier.name }) : t("me.noTier")}
            {next && (
              <>
                {" · "}
                {t("me.toNext", { count: next.points_needed ?? 0, name: next.name })}
              </>
            )}
          </p>
          {next && <progress max={1} value={progress} aria-label={t("me.progress", { name: next.name })} />}
          {m.expiring?.map((x) => (
            <p class="warn">
              {t("me.expiring", { count: x.points ?? 0 })} <Time at={x.expires_at} opts={{ dateStyle: "medium" }} />
            </p>
          ))}
          {!!m.history?.length && (
            <ul class="plain list" aria-label={t("me.pointsHistory")}>
              {m.history.map((h) => (
                <Posting what={t(`me.source.${h.source}`, { defaultValue: h.source })} at={h.created_at} negative={h.points < 0}>
                  {h.points > 0 ? `+${h.points}` : h.points}
                </Posting>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}

/** What the resident lets Courtyard use her data for, and a copy of all of it. */
function Privacy() {
  const { data: loaded, error } = useLoad(() => ok(api.GET("/v1/me/consents", {})), []);
  // The box follows the tap at once; a refused save puts it back.
  const [mine, setMine] = useState<Schemas["Consents"] | null>(null);
  const data = mine ?? (loaded as Schemas["Consents"] | undefined);
  const [saved, setSaved] = useState(false);
  const a = useAction();
  const set = (purpose: "marketing" | "recommendations" | "analytics", on: boolean) => {
    const before = data!;
    const next = { ...before, [purpose]: on };
    setMine(next);
    setSaved(false);
    a.run(async () => {
      try {
        setMine((await ok(api.PUT("/v1/me/consents", { body: next }))) as Schemas["Consents"]);
        setSaved(true);
      } catch (e) {
        setMine(before);
        throw e;
      }
    });
  };
  const download = () =>
    a.run(async () => {
      const doc = await ok(api.GET("/v1/me/export", {}));
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `courtyard-my-data-${new Date().toISOString().slice(0, 10)}.json`;
      link.click();
      URL.revokeObjectURL(url);
    });
  return (
    <Section id="privacy-h" class="card" title={t("me.privacy")}>
      <ErrorNote error={error || a.error} />
      {!data ? (
        <Skeleton lines={3} />
      ) : (
        <fieldset class="consents">
          <legend class="sr-only">{t("me.privacy")}</legend>
          {(["marketing", "recommendations", "analytics"] as const).map((p) => (
            <label class="check">
              <input type="checkbox" name={p} checked={!!data[p]} onChange={(e) => set(p, (e.target as HTMLInputElement).checked)} />
              <span>
                {t(`me.consent.${p}`)}
                <br />
                <small>{t(`me.consentHint.${p}`)}</small>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {saved && (
        <p class="ok" role="status">
          {t("me.consentSaved")}
        </p>
      )}
      <Button class="wide" busy={a.busy} onClick={download}>
        {t("me.export")}
      </Button>
    </Section>
  );
}

/** My referral code in this community: shown once made (GET), made on request (POST). */
function MyReferralCode() {
  const { data, error, setData } = useLoad(async () => {
    const r = await api.GET("/v1/communities/{cid}/referral-code", { params: { path: { cid: cid.value } } });
    if (r.response.status === 404) return null;
    return (await ok(Promise.resolve(r))) as Schemas["ReferralCode"];
  }, [cid.value]);
  const a = useAction();
  const make = () => a.run(async () => setData((await ok(api.POST("/v1/communities/{cid}/referral-code", { params: { path: { cid: cid.value } }, body: {} }))) as Schemas["ReferralCode"]));
  const link = data ? `${location.origin}${A}/?referral_code=${encodeURIComponent(data.code)}` : "";
  return (
    <Section id="ref-h" class="card" title={t("referral.title")}>
      <ErrorNote error={error || a.error} />
      {data === undefined ? (
        <Skeleton lines={1} />
      ) : data ? (
        <>
          <p>
            {t("referral.yourCode")} <strong class="code-inline" data-testid="my-referral-code">{data.code}</strong>
          </p>
          <p class="meta">{t("referral.where")}</p>
          <p class="share-link">
            <a href={link}>{link}</a>
          </p>
        </>
      ) : (
        <>
          <p class="meta">{t("referral.intro")}</p>
          <Button busy={a.busy} onClick={make}>
            {t("referral.make")}
          </Button>
        </>
      )}
    </Section>
  );
}

type Prefs = Schemas["NotificationPreferences"];
type Channel = "in_app" | "push" | "email";
const channels: Channel[] = ["in_app", "push", "email"];

/** Which notifications reach me, per category and channel; refusals (422) are shown and undone. */
const loadPrefs = () => ok(api.GET("/v1/me/notification-preferences", {})) as Promise<Prefs>;

function NotificationPrefs() {
  const { data, error, setData } = useLoad(loadPrefs, []);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const a = useAction();
  // One save at a time, in the order of the clicks: ticking "In app" and then "Live" quickly
  // must not let the second PUT overtake the first (the server would refuse live alerts
  // without in-app ones), nor an older answer overwrite a newer one.
  const saving = useRef<Promise<unknown>>(Promise.resolve());
  const set = (category: string, ch: Channel, on: boolean) => {
    const flip = (c: Prefs["categories"][number]) =>
      c.category === category ? { ...c, [ch]: on, ...(ch === "in_app" && !on ? { push: false } : {}) } : c;
    setData((d) => d && { ...d, categories: d.categories.map(flip) });
    setSaved(false);
    setRefused({});
    const save = async () => {
      try {
        setData((await ok(api.PUT("/v1/me/notification-preferences", { body: { [category]: { [ch]: on } } }))) as Prefs);
        setSaved(true);
      } catch (e) {
        // Back to what the server holds (saves queued before this one may have changed it).
        const held = await loadPrefs().catch(() => undefined);
        if (held) setData(held);
        if (e instanceof ApiError && e.status === 422) setRefused(e.fieldErrors());
        throw e;
      }
    };
    const next = saving.current.then(save);
    saving.current = next.catch(() => undefined);
    a.run(() => next);
  };
  const label = (c: string) => t(`prefs.category.${c}`, { defaultValue: c });
  return (
    <Section id="prefs-h" class="card" title={t("prefs.title")}>
      <p class="meta">{t("prefs.intro")}</p>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={5} />
      ) : (
        <div class="prefs-wrap">
          <table class="prefs">
            <caption class="sr-only">{t("prefs.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("prefs.category.head")}</th>
                {channels.map((ch) => (
                  <th scope="col">{t(`prefs.channel.${ch}`)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.categories.map((c) => (
                <tr data-category={c.category}>
                  <th scope="row">
                    {label(c.category)}
                    {c.locked && <small class="hint"> {t("prefs.locked")}</small>}
                    {c.category === "marketing" && !c.delivered && c.in_app && <small class="hint"> {t("prefs.needsConsent")}</small>}
                  </th>
                  {channels.map((ch) => (
                    <td>
                      <input
                        type="checkbox"
                        checked={!!c[ch]}
                        aria-label={t("prefs.toggle", { category: label(c.category), channel: t(`prefs.channel.${ch}`) })}
                        onChange={(e) => set(c.category, ch, (e.currentTarget as HTMLInputElement).checked)}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {Object.entries(refused).map(([cat, why]) => (
        <p class="error" role="alert" data-testid="pref-refused">
          {t("prefs.refused", { category: label(cat) })} {/^account and security/.test(why) ? t("prefs.why.locked") : /^push needs in_app/.test(why) ? t("prefs.why.push") : why}
        </p>
      ))}
      {a.error && !Object.keys(refused).length ? <ErrorNote error={a.error} /> : null}
      {saved && (
        <p class="ok" role="status">
          {t("me.consentSaved")}
        </p>
      )}
      <p class="hint">{t("prefs.emailNote")}</p>
    </Section>
  );
}
