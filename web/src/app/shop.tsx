// Shop: merchants, products, a cart per merchant, checkout from the wallet, orders with live
// status, the pickup code (large + QR, cached for offline) and the review after completion.
import { signal } from "@preact/signals";
import { lazy, useLocation, useRoute } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, idempotencyKey, ok, type Schemas } from "../api/client";
import { timeRange } from "../lib/format";
import { t } from "../lib/i18n";
import { cid } from "../lib/session";
import { onNotification } from "../lib/ws";
import { PageHead } from "./nav";
import { ActionForm, Button, Chips, Empty, ErrorNote, Field, Form, ListOf, Money, Qr, Section, Skeleton, StarsInput, Status, TextArea, Time, useAction, useLoad } from "../ui/kit";
import { cacheCode, cachedCode, cachedCodes } from "./codes";
import { A, online } from "./state";
import { forgetReferral, referralFor } from "./referral";

type Product = Schemas["Product"];
// Only completed orders have refunds: loaded on the first such order page.
const Refunds = lazy(() => import("./refunds").then((m) => m.Refunds));
type Order = Schemas["Order"];
type Slot = Schemas["DeliverySlot"];

// cart: merchant id -> product id -> quantity (kept across reloads; contains no secrets)
const cart = signal<Record<string, Record<string, number>>>(JSON.parse(localStorage.getItem("cy.cart") || "{}"));
function setQty(mid: number, pid: number, qty: number) {
  const next: Record<string, Record<string, number>> = { ...cart.value, [mid]: { ...(cart.value[mid] ?? {}) } };
  if (qty <= 0) delete next[mid][pid];
  else next[mid][pid] = qty;
  if (!Object.keys(next[mid]).length) delete next[mid];
  cart.value = next;
  localStorage.setItem("cy.cart", JSON.stringify(next));
}
export const cartCount = (mid: number) => Object.values(cart.value[mid] ?? {}).reduce((a, b) => a + b, 0);

type Hit = Schemas["ProductHit"];

/** "All" and one chip per category; nothing when there is only one category to pick. */
function CategoryChips({ categories, value, onValue }: { categories: string[]; value: string; onValue: (c: string) => void }) {
  if (categories.length <= 1) return null;
  return <Chips label={t("catalogue.category")} value={value} onValue={onValue} options={["", ...categories].map((c) => ({ value: c, label: c || t("common.all") }))} />;
}

/** Product search across the community's shops (GET /products?q=&category=): Chinese works too. */
function ProductSearch() {
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const [category, setCategory] = useState("");
  const [cats, setCats] = useState<string[]>([]);
  useEffect(() => {
    const h = setTimeout(() => {
      if (q.trim() !== query) setCategory("");
      setQuery(q.trim());
    }, 350);
    return () => clearTimeout(h);
  }, [q]);
  const { data, error } = useLoad(async () => {
    if (!query) return null;
    const r = await ok(api.GET("/v1/communities/{cid}/products", { params: { path: { cid: cid.value }, query: { q: query, category: category || undefined, limit: 30 } } }));
    if (!category) setCats([...new Set(r.items.map((p) => p.category ?? "").filter(Boolean))]);
    return { ...r, asked: `${query}|${category}` };
  }, [cid.value, query, category]);
  // Until the answer to this query is in, its skeleton (not the previous query's results).
  const current = data && data.asked === `${query}|${category}` ? data : undefined;
  return (
    <section aria-labelledby="search-h" class="search">
      <h2 id="search-h" class="sr-only">
        {t("search.title")}
      </h2>
      <Form role="search" onSubmit={() => setQuery(q.trim())}>
        <Field label={t("search.label")} name="q" type="search" value={q} onValue={setQ} placeholder={t("search.placeholder")} enterKeyHint="search" autoComplete="off" />
      </Form>
      {query && <CategoryChips categories={cats} value={category} onValue={setCategory} />}
      <ErrorNote error={error} />
      {!query ? null : !current ? (
        error ? null : <Skeleton lines={3} />
      ) : !current.items.length ? (
        <Empty>{t("search.none", { q: query })}</Empty>
      ) : (
        <>
          <p class="meta" aria-live="polite">
            {t("search.results", { count: current.total ?? current.items.length, q: query })}
          </p>
          <ul class="plain list products" aria-label={t("search.resultsLabel")}>
            {current.items.map((p: Hit) => (
              <li class="product" data-hit={p.name}>
                <a href={`${A}/shop/${p.merchant_id}/p/${p.id}`} class="grow">
                  <strong>{p.name}</strong>
                  <br />
                  <small>
                    {p.merchant_name} · <Money cents={p.price_cents} />
                  </small>
                </a>
                <AddButton mid={p.merchant_id!} p={p} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The +/− stepper of a product in its merchant's cart. */
export function AddButton({ mid, p }: { mid: number; p: Product }) {
  const qty = cart.value[mid]?.[p.id!] ?? 0;
  return (
    <span class="stepper">
      {qty > 0 && (
        <>
          <button type="button" aria-label={t("shop.remove", { name: p.name })} onClick={() => setQty(mid, p.id!, qty - 1)}>
            −
          </button>
          <output aria-live="polite" aria-label={t("shop.quantity", { name: p.name })}>
            {qty}
          </output>
        </>
      )}
      <button type="button" aria-label={t("shop.add", { name: p.name })} disabled={qty >= (p.stock ?? 0)} onClick={() => setQty(mid, p.id!, qty + 1)}>
        +
      </button>
    </span>
  );
}

export function Shop() {
  const { data, error } = useLoad(() => ok(api.GET("/v1/communities/{cid}/merchants", { params: { path: { cid: cid.value }, query: { limit: 100 } as never } })), [cid.value]);
  return (
    <div class="page">
      <header class="page-head row between">
        <h1>{t("tabs.shop")}</h1>
        <span class="actions">
          <a href={`${A}/group-buys`} class="button">
            {t("groupBuys.title")}
          </a>
          <a href={`${A}/orders`} class="button">
            {t("shop.myOrders")}
          </a>
        </span>
      </header>
      <ProductSearch />
      <h2>{t("shop.shops")}</h2>
      <ErrorNote error={error} />
      <ListOf items={data?.items} class="plain cards" lines={4} empty={t("shop.noMerchants")}>
        {(m) => (
          <li class="card">
            <a href={`${A}/shop/${m.id}`} class="row between">
              <span>
                <strong>{m.name}</strong>
                <br />
                <small>{m.category}</small>
              </span>
              <span class="meta">
                {m.rating?.count ? `★ ${m.rating.avg?.toFixed(1)} (${m.rating.count})` : t("shop.noReviews")}
                {cartCount(m.id!) > 0 && <span class="count">{cartCount(m.id!)}</span>}
              </span>
            </a>
          </li>
        )}
      </ListOf>
    </div>
  );
}

const tenureKeys: Record<string, string> = {
  "new resident": "new",
  "resident 6+ months": "m6",
  "resident 1+ year": "y1",
  "resident 2+ years": "y2",
  "resident 5+ years": "y5",
};

/** Who wrote a review, as a neighbour's trust badge (tenure and building, never who). */
export function TrustBadge({ review }: { review: Schemas["MerchantReview"] }) {
  const a = review.author;
  let label: string;
  if (review.author_label) label = t("trust.former");
  else if (!a) label = t("shop.verified");
  else {
    const band = a.tenure_band ? t(`trust.tenure.${tenureKeys[a.tenure_band] ?? "new"}`) : a.verified_resident ? t("trust.resident") : "";
    label = [band, a.building].filter(Boolean).join(t("trust.sep")) || a.label || t("trust.neighbour");
  }
  return (
    <span class={`badge ${a?.verified_resident ? "st-verified" : ""}`} data-testid="trust-badge">
      {label}
      {review.verified_purchase && <span class="sr-only"> · {t("trust.verifiedPurchase")}</span>}
    </span>
  );
}

export function MerchantPage() {
  const { params } = useRoute();
  const mid = Number(params.mid);
  const [q, setQ] = useState("");
  const [category, setCategory] = useState("");
  const { data, error } = useLoad(async () => {
    const p = { cid: cid.value, mid };
    const [merchant, products, reviews] = await Promise.all([
      ok(api.GET("/v1/communities/{cid}/merchants/{mid}", { params: { path: p } })),
      ok(api.GET("/v1/communities/{cid}/merchants/{mid}/products", { params: { path: p, query: { limit: 200 } as never } })),
      ok(api.GET("/v1/communities/{cid}/merchants/{mid}/reviews", { params: { path: p, query: { limit: 10 } as never } })),
    ]);
    return { merchant, products: ((products as { items?: Product[] }).items ?? []) as Product[], reviews: ((reviews as { items?: Schemas["MerchantReview"][] }).items ?? []) as Schemas["MerchantReview"][] };
  }, [cid.value, mid]);
  const categories = [...new Set(data?.products.map((p) => p.category ?? "").filter(Boolean))];
  const shown = (data?.products ?? []).filter((p) => p.active !== false && (!category || p.category === category) && (!q || p.name?.toLowerCase().includes(q.toLowerCase())));
  const count = cartCount(mid);
  return (
    <div class="page">
      <PageHead to={`${A}/shop`} back={t("tabs.shop")} title={data?.merchant.name ?? t("common.loading")} />
      <ErrorNote error={error} />
      <div class="toolbar">
        <Field label={t("shop.search")} name="q" type="search" value={q} onValue={setQ} />
        <CategoryChips categories={categories} value={category} onValue={setCategory} />
      </div>
      <ListOf items={data && shown} class="plain list products" lines={4} empty={t("shop.noProducts")}>
        {(p) => (
          <li class="product" data-product={p.name}>
            <a href={`${A}/shop/${mid}/p/${p.id}`} class="grow">
              <strong>{p.name}</strong>
              <br />
              <small>
                <Money cents={p.price_cents} /> · {(p.stock ?? 0) > 0 ? t("shop.inStock", { count: p.stock }) : t("shop.soldOut")}
              </small>
            </a>
            <AddButton mid={mid} p={p} />
          </li>
        )}
      </ListOf>
      {data && (
        <Section id="rev-h" title={t("shop.reviews")}>
          <ListOf items={data.reviews} class="plain list" empty={t("shop.noReviews")}>
            {(r) => (
              <li>
                <span aria-label={t("shop.stars", { count: r.rating })}>{"★".repeat(r.rating ?? 0)}</span> <TrustBadge review={r} /> {r.text}
              </li>
            )}
          </ListOf>
        </Section>
      )}
      {count > 0 && (
        <a class="button primary sticky" href={`${A}/cart/${mid}`}>
          {t("shop.viewCart", { count })}
        </a>
      )}
    </div>
  );
}

/** The merchant's open delivery slots (GET /delivery-slots?merchant_id=): one must be chosen
 *  when there are any; a full one cannot be picked. */
function SlotPicker({ slots, value, onPick, error }: { slots: Slot[]; value: number | null; onPick: (id: number) => void; error?: string }) {
  return (
    <fieldset class={`slot-pick${error ? " has-error" : ""}`} aria-describedby={error ? "slot-err" : undefined} data-testid="delivery-slots">
      <legend>{t("slots.choose")}</legend>
      <ul class="plain">
        {slots.map((s) => {
          const full = (s.places_left ?? 0) <= 0 || s.status !== "open";
          return (
            <li data-slot={s.id}>
              <label class={`radio${full ? " full" : ""}`}>
                <input type="radio" name="slot_id" value={s.id} checked={value === s.id} disabled={full} onChange={() => onPick(s.id!)} />
                <span>
                  <span class="slot-when">{timeRange(s.starts_at, s.ends_at)}</span>
                  <br />
                  <small>{full ? t("slots.full") : t("slots.left", { count: s.places_left })}</small>
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      {error && (
        <p id="slot-err" class="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

export function Cart() {
  const { params } = useRoute();
  const { route } = useLocation();
  const mid = Number(params.mid);
  const [fulfilment, setFulfilment] = useState<"pickup" | "delivery">("pickup");
  const [coupon, setCoupon] = useState("");
  const [slot, setSlot] = useState<number | null>(null);
  const [needSlot, setNeedSlot] = useState(false);
  // One key per attempt: a retry after a refusal (points, coupon) sends a different body.
  const [key, setKey] = useState(idempotencyKey);
  const a = useAction();
  const { data, error } = useLoad(async () => {
    const [products, wallet, membership, merchant] = await Promise.all([
      ok(api.GET("/v1/communities/{cid}/merchants/{mid}/products", { params: { path: { cid: cid.value, mid }, query: { limit: 200 } as never } })),
      ok(api.GET("/v1/me/wallet", { params: { query: { community_id: cid.value, limit: 1 } as never } })),
      // No programme (or members switched off): checkout without points.
      ok(api.GET("/v1/me/membership", { params: { query: { community_id: cid.value } } })).catch(() => null),
      ok(api.GET("/v1/communities/{cid}/merchants/{mid}", { params: { path: { cid: cid.value, mid } } })),
    ]);
    const m = membership?.communities?.[0] as Schemas["Membership"] | undefined;
    // How this shop hands orders over (both when it does not say).
    const ways = (["pickup", "delivery"] as const).filter((f) => !merchant.fulfilment?.length || merchant.fulfilment.includes(f));
    if (!ways.includes(fulfilment)) setFulfilment(ways[0]);
    return { products: ((products as { items?: Product[] }).items ?? []) as Product[], balance: wallet.balance_cents, membership: m, ways };
  }, [cid.value, mid]);
  // The merchant's bookable delivery slots (none published: delivery without a slot).
  const slots = useLoad(async () => (await ok(api.GET("/v1/communities/{cid}/delivery-slots", { params: { path: { cid: cid.value }, query: { merchant_id: mid } } }))).items as Slot[], [cid.value, mid]);
  const offered = fulfilment === "delivery" && !!slots.data?.length;
  const [points, setPoints] = useState("");
  const ref = referralFor(cid.value);
  const have = data?.membership?.points ?? 0;
  const pointsN = Math.max(0, Math.floor(Number(points) || 0));
  // The server's refusal names the most points this order takes ("at most 120 points ..."):
  // said again in the resident's language, with a button to use that many.
  const most = Number(/at most (\d+) points/.exec(a.fields.points ?? "")?.[1] ?? NaN);
  const tierPct = data?.membership?.tier?.discount_pct ?? 0;
  const lines = Object.entries(cart.value[mid] ?? {}).map(([pid, qty]) => ({ product: data?.products.find((p) => p.id === Number(pid)), pid: Number(pid), qty }));
  const total = lines.reduce((s, l) => s + (l.product?.price_cents ?? 0) * l.qty, 0);
  const place = () => {
    // Slots still loading: wait for them rather than order a delivery without one.
    if (fulfilment === "delivery" && !slots.data && !slots.error) return;
    if (offered && !slot) {
      setNeedSlot(true);
      return;
    }
    return a.run(async () => {
      setKey(idempotencyKey());
      const order = await ok(
        api.POST("/v1/communities/{cid}/orders", {
          params: { path: { cid: cid.value }, header: { "Idempotency-Key": key } as never },
          body: {
            merchant_id: mid,
            items: lines.map((l) => ({ product_id: l.pid, quantity: l.qty })),
            fulfilment,
            coupon_code: coupon.trim() || undefined,
            points: pointsN || undefined,
            referral_code: ref,
            slot_id: offered ? slot! : undefined,
          },
        }),
      ).catch((e) => {
        // Taken meanwhile (409 slot-full) or closed/started (422 slot_id): the current slots, choose again.
        if (e instanceof ApiError && (e.slug === "slot-full" || e.fieldErrors().slot_id)) {
          setSlot(null);
          slots.reload();
        }
        throw e;
      });
      if (ref) forgetReferral();
      const next = { ...cart.value };
      delete next[mid];
      cart.value = next;
      localStorage.setItem("cy.cart", JSON.stringify(next));
      route(`${A}/orders/${(order as Order).id}`);
    });
  };
  return (
    <div class="page">
      <PageHead to={`${A}/shop/${mid}`} back={t("shop.backToShop")} title={t("shop.cart")} />
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={3} />
      ) : !lines.length ? (
        <Empty>{t("shop.emptyCart")}</Empty>
      ) : (
        <Form onSubmit={() => place()}>
          <ul class="plain list">
            {lines.map((l) => (
              <li class="row between">
                <span>
                  {l.qty} × {l.product?.name}
                </span>
                <Money cents={(l.product?.price_cents ?? 0) * l.qty} />
              </li>
            ))}
            <li class="row between total">
              <strong>{t("shop.total")}</strong>
              <strong>
                <Money cents={total} />
              </strong>
            </li>
          </ul>
          <fieldset>
            <legend>{t("shop.fulfilment")}</legend>
            {data.ways.map((f) => (
              <label class="radio">
                <input type="radio" name="fulfilment" value={f} checked={fulfilment === f} onChange={() => setFulfilment(f)} /> {t(`shop.${f}`)}
              </label>
            ))}
          </fieldset>
          {fulfilment === "delivery" &&
            (!slots.data ? (
              slots.error ? <ErrorNote error={slots.error} /> : <Skeleton lines={2} />
            ) : offered ? (
              <SlotPicker
                slots={slots.data}
                value={slot}
                onPick={(id) => {
                  setSlot(id);
                  setNeedSlot(false);
                }}
                error={needSlot ? t("slots.required") : a.fields.slot_id ? t("slots.gone") : undefined}
              />
            ) : null)}
          <Field label={t("shop.coupon")} name="coupon_code" value={coupon} onValue={setCoupon} autoComplete="off" error={a.fields.coupon_code} />
          {data.membership && (
            <Section id="pts-h" class="card points-pay" title={t("checkout.points")}>
              <p data-testid="points-available">{t("checkout.have", { count: have })}</p>
              {tierPct > 0 && <p class="ok">{t("checkout.tierDiscount", { name: data.membership.tier?.name, pct: tierPct })}</p>}
              {have > 0 && (
                <Field
                  label={t("checkout.usePoints")}
                  name="points"
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={have}
                  step={1}
                  value={points}
                  onValue={(v) => setPoints(v === "" ? "" : String(Math.min(have, Math.max(0, Math.floor(Number(v) || 0)))))}
                  hint={t("checkout.pointsHint")}
                  error={a.fields.points ? (Number.isFinite(most) ? t("checkout.atMost", { count: most }) : a.fields.points) : undefined}
                />
              )}
              {Number.isFinite(most) && most > 0 && (
                <Button onClick={() => setPoints(String(Math.min(most, have)))}>{t("checkout.useMost", { count: Math.min(most, have) })}</Button>
              )}
            </Section>
          )}
          {ref && (
            <p class="meta" data-testid="referral-note">
              {t("referral.applied", { code: ref })}{" "}
              <button type="button" class="link" onClick={forgetReferral}>
                {t("referral.remove")}
              </button>
            </p>
          )}
          {a.fields.referral_code && (
            <p class="error" role="alert">
              {t("referral.refused")}
            </p>
          )}
          <p class="meta">
            {t("shop.walletBalance")}: <Money cents={data.balance} />
          </p>
          <ErrorNote error={a.error} shownFields={["coupon_code", "points", "referral_code", "slot_id"]} />
          <Button type="submit" class="primary wide" busy={a.busy}>
            {t("shop.pay", { amount: "" })}
            <Money cents={total} />
            {pointsN > 0 && <> {t("checkout.lessPoints", { count: pointsN })}</>}
          </Button>
        </Form>
      )}
    </div>
  );
}

function rememberCode(o: Order) {
  if (o.redemption_code && o.id) cacheCode({ kind: "pickup", id: o.id, community_id: o.community_id ?? cid.value, code: o.redemption_code, title: (o.items ?? []).map((i) => `${i.quantity} × ${i.name}`).join(", "), status: o.status });
}

export function OrdersPage() {
  const { data, error, reload } = useLoad(async () => {
    const r = await ok(api.GET("/v1/me/orders", { params: { query: { limit: 50 } as never } }));
    for (const o of r.items ?? []) if (o.status !== "completed" && o.status !== "cancelled") rememberCode(o);
    return r.items as Order[];
  }, []);
  useEffect(() => onNotification((n) => n.type.startsWith("order.") && reload()), []);
  const offline = !online.value || (error && !data);
  const cached = Object.values(cachedCodes()).filter((c) => c.kind === "pickup");
  return (
    <div class="page">
      <PageHead to={`${A}/shop`} back={t("tabs.shop")} title={t("shop.myOrders")} />
      {offline ? (
        <>
          <p class="meta">{t("shop.offlineCodes")}</p>
          <ListOf items={cached} class="plain list" empty={t("shop.noOrders")}>
            {(c) => (
              <li>
                <a href={`${A}/orders/${c.id}`}>
                  {t("merchant.order", { id: c.id })} · {c.title} · <span class="code-inline">{c.code}</span>
                </a>
              </li>
            )}
          </ListOf>
        </>
      ) : (
        <>
          <ErrorNote error={error} />
          <ListOf items={data} class="plain list" lines={4} empty={t("shop.noOrders")}>
            {(o) => (
              <li data-order={o.id}>
                <a href={`${A}/orders/${o.id}`} class="row between">
                  <span>
                    {t("merchant.order", { id: o.id })}
                    <br />
                    <small>
                      {(o.items ?? []).map((i) => `${i.quantity} × ${i.name}`).join(", ")} · <Time at={o.created_at} opts={{ dateStyle: "short", timeStyle: "short" }} />
                    </small>
                  </span>
                  <span>
                    <Money cents={o.total_cents} /> <Status value={o.status} />
                  </span>
                </a>
              </li>
            )}
          </ListOf>
        </>
      )}
    </div>
  );
}

function Review({ order, onDone }: { order: Order; onDone: () => void }) {
  const [rating, setRating] = useState(5);
  const [text, setText] = useState("");
  const [done, setDone] = useState(false);
  const a = useAction();
  if (done) return <p class="ok" role="status">{t("shop.thanksReview")}</p>;
  return (
    <ActionForm class="card" action={a} title={t("shop.review")} submit={t("shop.sendReview")} shownFields={["text"]} onSubmit={async () => {
      await ok(api.POST("/v1/communities/{cid}/orders/{oid}/review", { params: { path: { cid: order.community_id ?? cid.value, oid: order.id! } }, body: { rating, text: text || undefined } }));
      setDone(true);
      onDone();
    }}>
      <StarsInput value={rating} onValue={setRating} />
      <TextArea label={t("shop.reviewText")} name="text" value={text} onValue={setText} error={a.fields.text} />
    </ActionForm>
  );
}

export function OrderPage() {
  const { params } = useRoute();
  const oid = Number(params.oid);
  const { data, error, reload } = useLoad(async () => {
    const o = (await ok(api.GET("/v1/communities/{cid}/orders/{oid}", { params: { path: { cid: cid.value || cachedCode("pickup", oid)?.community_id || 0, oid } } }))) as Order;
    rememberCode(o);
    return o;
  }, [oid]);
  useEffect(() => onNotification((n) => (n.data as { order_id?: number } | undefined)?.order_id === oid && reload()), [oid]);
  const cached = cachedCode("pickup", oid);
  const order: Partial<Order> | undefined = data ?? (cached ? { id: oid, redemption_code: cached.code, status: cached.status as Order["status"], fulfilment: "pickup" } : undefined);
  const showCode = order?.redemption_code && order.status !== "completed" && order.status !== "cancelled";
  return (
    <div class="page">
      <PageHead to={`${A}/orders`} back={t("shop.myOrders")} title={t("merchant.order", { id: oid })} />
      {!data && error && !cached ? <ErrorNote error={error} /> : null}
      {!data && !error && !cached ? (
        <Skeleton lines={4} />
      ) : order ? (
        <>
          <p class="order-status" aria-live="polite">
            {t("common.status")}: <Status value={order.status} />
            {!data && cached && <small> ({t("shop.savedCopy")})</small>}
          </p>
          {showCode && (
            <Section id="code-h" class="code-card" title={t("shop.pickupCode")}>
              <p class="code" data-testid="pickup-code">
                {order.redemption_code}
              </p>
              <Qr text={order.redemption_code!} label={t("shop.qrLabel", { code: order.redemption_code })} />
              <p class="meta">{t("shop.showAtCounter")}</p>
            </Section>
          )}
          {data?.delivery_slot && (
            <p class="card delivery-slot" data-testid="order-slot">
              {t("slots.yours")} <strong>{timeRange(data.delivery_slot.starts_at, data.delivery_slot.ends_at)}</strong>
            </p>
          )}
          {data?.fulfilment === "delivery" && data.status !== "completed" && data.status !== "cancelled" && (
            <p>
              <a href={`${A}/parcels`}>{t("order.proofCode")}</a>
            </p>
          )}
          {data && (
            <ul class="plain list">
              {data.items?.map((i) => (
                <li class="row between">
                  <span>
                    {i.quantity} × {i.name}
                  </span>
                  <Money cents={i.line_total_cents} />
                </li>
              ))}
              {(data.discount_cents ?? 0) > 0 && (
                <>
                  <li class="row between">
                    <span>{t("shop.subtotal")}</span>
                    <Money cents={data.subtotal_cents} />
                  </li>
                  {(data.discount_cents ?? 0) - (data.tier_discount_cents ?? 0) > 0 && (
                    <li class="row between">
                      <span>{data.coupon_code ? t("order.coupon", { code: data.coupon_code }) : t("order.discount")}</span>
                      <span class="pos">
                        −<Money cents={(data.discount_cents ?? 0) - (data.tier_discount_cents ?? 0)} />
                      </span>
                    </li>
                  )}
                  {(data.tier_discount_cents ?? 0) > 0 && (
                    <li class="row between" data-testid="tier-discount">
                      <span>{t("order.tierDiscount", { pct: data.tier_discount_pct })}</span>
                      <span class="pos">
                        −<Money cents={data.tier_discount_cents} />
                      </span>
                    </li>
                  )}
                </>
              )}
              <li class="row between total">
                <strong>{t("shop.total")}</strong>
                <Money cents={data.total_cents} />
              </li>
              {(data.points_spent ?? 0) > 0 && (
                <>
                  <li class="row between" data-testid="points-spent">
                    <span>{t("order.pointsSpent", { count: data.points_spent })}</span>
                    <span>
                      −<Money cents={data.points_cents} />
                    </span>
                  </li>
                  <li class="row between" data-testid="wallet-paid">
                    <span>{t("order.walletPaid")}</span>
                    <Money cents={data.paid_cents ?? (data.total_cents ?? 0) - (data.points_cents ?? 0)} />
                  </li>
                </>
              )}
            </ul>
          )}
          {data?.status === "completed" && <Review order={data} onDone={() => undefined} />}
          {data?.status === "completed" && <Refunds order={data} />}
        </>
      ) : null}
    </div>
  );
}
