// Me: wallet and statement, language, sign out.
import { useLocation } from "preact-iso";
import { api, ok } from "../api/client";
import { t } from "../lib/i18n";
import { cid, community, me } from "../lib/session";
import { Button, ErrorNote, Money, Skeleton, Time, useLoad } from "../ui/kit";
import { LanguagePicker } from "../ui/LanguagePicker";
import { A, leave } from "./state";

export function MePage() {
  const { route } = useLocation();
  const { data, error } = useLoad(() => ok(api.GET("/v1/me/wallet", { params: { query: { community_id: cid.value, limit: 20 } as never } })), [cid.value]);
  return (
    <div class="page">
      <header class="page-head">
        <h1>{me.value?.display_name}</h1>
        <p class="meta">
          {me.value?.email} · {community.value?.name}
        </p>
      </header>
      <section class="card" aria-labelledby="wallet-h">
        <h2 id="wallet-h">{t("me.wallet")}</h2>
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
                <li class="row between">
                  <span>
                    {t(`me.kind.${e.kind}`, { defaultValue: e.kind })}
                    <br />
                    <small>
                      <Time at={e.created_at} />
                    </small>
                  </span>
                  <span class={(e.amount_cents ?? 0) < 0 ? "neg" : "pos"}>
                    <Money cents={e.amount_cents} />
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section class="card" aria-labelledby="settings-h">
        <h2 id="settings-h">{t("me.settings")}</h2>
        <LanguagePicker />
      </section>
      <p>
        <a href={`${A}/codes`} class="button wide">
          {t("codes.title")}
        </a>
      </p>
      <Button
        class="wide"
        onClick={async () => {
          await leave();
          route(`${A}/`);
        }}
      >
        {t("common.signOut")}
      </Button>
    </div>
  );
}
