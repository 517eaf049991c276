// A product: price, stock, add to cart, what neighbours also bought, and sharing it with my
// referral code (a neighbour who orders through the link credits me points).
import { useRoute } from "preact-iso";
import { api, ok, type Schemas } from "../api/client";
import { money } from "../lib/format";
import { t } from "../lib/i18n";
import { cid } from "../lib/session";
import { ErrorNote, ListOf, Money, Section, Skeleton, useLoad } from "../ui/kit";
import { ShareWithCode } from "./referral";
import { PageHead } from "./nav";
import { AddButton, cartCount } from "./shop";
import { A } from "./state";

export function ProductPage() {
  const { params } = useRoute();
  const mid = Number(params.mid);
  const pid = Number(params.pid);
  const { data, error } = useLoad(async () => {
    const p = { cid: cid.value, mid, pid };
    const [product, merchant, recs] = await Promise.all([
      ok(api.GET("/v1/communities/{cid}/merchants/{mid}/products/{pid}", { params: { path: p } })),
      ok(api.GET("/v1/communities/{cid}/merchants/{mid}", { params: { path: { cid: cid.value, mid } } })),
      ok(api.GET("/v1/communities/{cid}/products/{pid}/recommendations", { params: { path: { cid: cid.value, pid } } })).catch(() => null),
    ]);
    return { product: product as Schemas["Product"], merchant, also: (recs?.neighbours_also_bought ?? []) as Schemas["RecommendedProduct"][] };
  }, [cid.value, mid, pid]);
  const count = cartCount(mid);
  const p = data?.product;
  return (
    <div class="page">
      <PageHead to={`${A}/shop/${mid}`} back={data?.merchant.name ?? t("tabs.shop")} title={p?.name ?? t("common.loading")} />
      <ErrorNote error={error} />
      {!data || !p ? (
        <Skeleton lines={5} />
      ) : (
        <>
          <section class="card product-card" aria-label={p.name}>
            <p class="big">
              <Money cents={p.price_cents} />
            </p>
            <p class="meta">
              {p.category} · {(p.stock ?? 0) > 0 ? t("shop.inStock", { count: p.stock }) : t("shop.soldOut")}
            </p>
            <div class="row between">
              <span>{t("product.addToCart")}</span>
              <AddButton mid={mid} p={p} />
            </div>
          </section>
          <Section id="share-h" class="card" title={t("referral.title")}>
            <p class="meta">{t("referral.intro")}</p>
            <ShareWithCode target={{ merchant_id: mid, product_id: pid }} title={p.name ?? ""} text={t("referral.productText", { name: p.name, price: money(p.price_cents) })} />
          </Section>
          <Section id="also-h" title={t("recs.alsoBought")}>
            <ListOf items={data.also} class="plain list" empty={t("recs.noneYet")}>
              {(r) => (
                <li>
                  <a href={`${A}/shop/${r.merchant_id}/p/${r.product_id}`} class="row between">
                    <span>{r.name}</span>
                    <Money cents={r.price_cents} />
                  </a>
                </li>
              )}
            </ListOf>
          </Section>
        </>
      )}
      {count > 0 && (
        <a class="button primary sticky" href={`${A}/cart/${mid}`}>
          {t("shop.viewCart", { count })}
        </a>
      )}
    </div>
  );
}
