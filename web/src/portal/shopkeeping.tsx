// The merchant console beyond the counter: coupons, group buys, reviews, figures and API keys.
// Loaded on first visit (not part of the portal's first load).
import { useState } from "preact/hooks";
import { all, api, ok, type Schemas } from "../api/client";
import { money, timeRange } from "../lib/format";
import { t } from "../lib/i18n";
import { cid, merchantId } from "../lib/session";
import { ActionForm, Button, CsvButton, DataTable, Empty, ErrorNote, Field, isoFromLocal, LoadMore, localInput, Money, PagedList, Select, ShownOnce, Skeleton, Status, Time, useAction, useLoad, usePaged } from "../ui/kit";
import { BarChart } from "./BarChart";

type Coupon = Schemas["Coupon"];
type GroupBuy = Schemas["GroupBuy"];
type Product = Schemas["Product"];
const mp = () => ({ cid: cid.value, mid: merchantId() ?? 0 });

// ---------------------------------------------------------------- coupons

export function Coupons() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/merchants/{mid}/coupons", { params: { path: mp(), query: { limit: 50, cursor } as never } })) as Promise<{ items: Coupon[]; next_cursor: string | null }>, [cid.value]);
  const [code, setCode] = useState("");
  const [kind, setKind] = useState<"percent" | "amount">("percent");
  const [off, setOff] = useState("10");
  const [minSpend, setMinSpend] = useState("0");
  const [max, setMax] = useState("100");
  const [expires, setExpires] = useState(localInput(30 * 24 * 60));
  const a = useAction();
  return (
    <section>
      <div class="row between">
        <h1>{t("nav.coupons")}</h1>
        <CsvButton name="coupons.csv" head={["code", "percent_off", "amount_off", "min_spend", "redemptions", "max_redemptions", "expires_at"]} rows={list.items?.map((c) => [c.code, c.percent_off, c.amount_off_cents ? (c.amount_off_cents / 100).toFixed(2) : "", ((c.min_spend_cents ?? 0) / 100).toFixed(2), c.redemptions, c.max_redemptions, c.expires_at])} />
      </div>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t("nav.coupons")}
        rows={list.items}
        empty={t("coupons.none")}
        columns={[
          { head: t("coupons.code"), cell: (c) => <span class="code-inline">{c.code}</span> },
          { head: t("coupons.discount"), cell: (c) => (c.percent_off ? `${c.percent_off}%` : money(c.amount_off_cents)) },
          { head: t("coupons.minSpend"), cell: (c) => <Money cents={c.min_spend_cents} /> },
          { head: t("coupons.used"), cell: (c) => `${c.redemptions} / ${c.max_redemptions}` },
          { head: t("coupons.expires"), cell: (c) => <Time at={c.expires_at} opts={{ dateStyle: "medium" }} /> },
        ]}
      />
      <LoadMore list={list} />
      <ActionForm class="card" action={a} title={t("coupons.new")} submit={t("coupons.create")} shownFields={["code", "percent_off", "amount_off_cents", "min_spend_cents", "max_redemptions", "expires_at"]} onSubmit={async () => {
        const body = {
          code: code.trim().toUpperCase(),
          ...(kind === "percent" ? { percent_off: Number(off) } : { amount_off_cents: Math.round(Number(off) * 100) }),
          min_spend_cents: Math.round(Number(minSpend) * 100),
          max_redemptions: Number(max),
          expires_at: isoFromLocal(expires),
        };
        await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/coupons", { params: { path: mp() }, body }));
        setCode("");
        list.reload();
      }}>
        <div class="cols">
          <Field label={t("coupons.code")} name="code" value={code} onValue={setCode} required error={a.fields.code} />
          <Select label={t("coupons.kind")} name="kind" value={kind} onValue={(v) => setKind(v as typeof kind)} options={[{ value: "percent", label: t("coupons.percent") }, { value: "amount", label: t("coupons.amount") }]} />
          <Field label={kind === "percent" ? t("coupons.percentOff") : t("coupons.amountOff")} name={kind === "percent" ? "percent_off" : "amount_off_cents"} type="number" min="1" step={kind === "percent" ? "1" : "0.01"} value={off} onValue={setOff} required error={a.fields.percent_off || a.fields.amount_off_cents} />
          <Field label={t("coupons.minSpend")} name="min_spend_cents" type="number" min="0" step="0.01" value={minSpend} onValue={setMinSpend} error={a.fields.min_spend_cents} />
          <Field label={t("coupons.maxRedemptions")} name="max_redemptions" type="number" min="1" step="1" value={max} onValue={setMax} required error={a.fields.max_redemptions} />
          <Field label={t("coupons.expires")} name="expires_at" type="datetime-local" value={expires} onValue={setExpires} required error={a.fields.expires_at} />
        </div>
      </ActionForm>
    </section>
  );
}

// ---------------------------------------------------------------- group buys

function useProducts() {
  const { data } = useLoad(() => all((cursor) => ok(api.GET("/v1/communities/{cid}/merchants/{mid}/products", { params: { path: mp(), query: { limit: 200, cursor } as never } })) as Promise<{ items: Product[]; next_cursor: string | null }>), [cid.value]);
  return data ?? [];
}

export function Progress({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <div class="progress">
      <progress max={Math.max(max, 1)} value={Math.min(value, max)} aria-label={label} />
      <small>{label}</small>
    </div>
  );
}

export function GroupBuys() {
  const products = useProducts();
  const [status, setStatus] = useState<"" | "open" | "closed">("");
  const mine = merchantId();
  // Group buys are listed per community; the console keeps this merchant's own.
  const list = usePaged(async (cursor) => {
    const r = (await ok(api.GET("/v1/communities/{cid}/group-buys", { params: { path: { cid: cid.value }, query: { status: status || undefined, limit: 50, cursor } as never } }))) as { items: GroupBuy[]; next_cursor: string | null };
    return { items: r.items.filter((g) => g.merchant_id === mine), next_cursor: r.next_cursor };
  }, [cid.value, status]);
  const [product, setProduct] = useState("");
  const [price, setPrice] = useState("");
  const [min, setMin] = useState("5");
  const [closes, setCloses] = useState(localInput(3 * 24 * 60));
  const a = useAction();
  const name = (id?: number) => products.find((p) => p.id === id)?.name ?? `#${id}`;
  return (
    <section>
      <div class="row between">
        <h1>{t("nav.groupBuys")}</h1>
        <CsvButton name="group-buys.csv" head={["id", "product", "unit_price", "participants", "min_participants", "quantity", "status", "outcome", "closes_at"]} rows={list.items?.map((g) => [g.id, name(g.product_id), ((g.unit_price_cents ?? 0) / 100).toFixed(2), g.participants, g.min_participants, g.quantity, g.status, g.outcome, g.closes_at])} />
      </div>
      <div class="toolbar">
        <Select label={t("common.status")} name="gb-status" value={status} onValue={(v) => setStatus(v as typeof status)} options={[{ value: "", label: t("common.all") }, { value: "open", label: t("state.open") }, { value: "closed", label: t("state.closed") }]} />
      </div>
      <PagedList list={list} class="plain cols" empty={t("groupBuys.none")}>
        {(g) => (
          <li class="card" data-group-buy={g.id}>
            <h3>{name(g.product_id)}</h3>
            <p class="meta">
              <Money cents={g.unit_price_cents} /> · <Status value={g.status} /> {g.outcome ? `· ${t(`groupBuys.outcome.${g.outcome}`)}` : ""}
            </p>
            <Progress value={g.participants ?? 0} max={g.min_participants ?? 1} label={t("groupBuys.progress", { count: g.participants ?? 0, min: g.min_participants ?? 0 })} />
            <p class="meta">
              {t("groupBuys.closes")} <Time at={g.closes_at} />
            </p>
          </li>
        )}
      </PagedList>
      <ActionForm class="card" action={a} title={t("groupBuys.new")} submit={t("groupBuys.create")} disabled={!product} shownFields={["product_id", "unit_price_cents", "min_participants", "closes_at"]} onSubmit={async () => {
        await ok(api.POST("/v1/communities/{cid}/group-buys", { params: { path: { cid: cid.value } }, body: { product_id: Number(product), unit_price_cents: Math.round(Number(price) * 100), min_participants: Number(min), closes_at: isoFromLocal(closes) } }));
        setPrice("");
        list.reload();
      }}>
        <div class="cols">
          <Select label={t("catalogue.name")} name="product_id" value={product} onValue={setProduct} error={a.fields.product_id} options={[{ value: "", label: "—" }, ...products.map((p) => ({ value: p.id!, label: `${p.name} (${money(p.price_cents)})` }))]} />
          <Field label={t("groupBuys.unitPrice")} name="unit_price_cents" type="number" min="0.01" step="0.01" value={price} onValue={setPrice} required error={a.fields.unit_price_cents} />
          <Field label={t("groupBuys.minParticipants")} name="min_participants" type="number" min="2" step="1" value={min} onValue={setMin} required error={a.fields.min_participants} />
          <Field label={t("groupBuys.closes")} name="closes_at" type="datetime-local" value={closes} onValue={setCloses} required error={a.fields.closes_at} />
        </div>
      </ActionForm>
    </section>
  );
}

// ---------------------------------------------------------------- delivery slots

type Slot = Schemas["DeliverySlot"];

/** Time windows residents choose from at checkout for delivery, each with a capacity; closing
 *  one stops new bookings (orders already booked keep their place). */
export function DeliverySlots() {
  const list = useLoad(async () => (await ok(api.GET("/v1/communities/{cid}/merchants/{mid}/delivery-slots", { params: { path: mp(), query: { limit: 200 } } }))).items as Slot[], [cid.value]);
  const [starts, setStarts] = useState(localInput(24 * 60));
  const [ends, setEnds] = useState(localInput(26 * 60));
  const [capacity, setCapacity] = useState("10");
  const a = useAction();
  const closing = useAction();
  return (
    <section>
      <h1>{t("nav.deliverySlots")}</h1>
      <p class="meta">{t("slots.intro")}</p>
      <ErrorNote error={list.error || closing.error} />
      <DataTable
        caption={t("nav.deliverySlots")}
        rows={list.data}
        empty={t("slots.none")}
        rowProps={(s) => ({ "data-slot": s.id })}
        columns={[
          { head: t("slots.when"), cell: (s) => timeRange(s.starts_at, s.ends_at) },
          { head: t("slots.booked"), num: true, cell: (s) => `${s.booked} / ${s.capacity}` },
          { head: t("common.status"), cell: (s) => <Status value={s.status === "open" && (s.places_left ?? 0) <= 0 ? "slot_full" : s.status} /> },
          {
            head: t("common.actions"),
            actions: true,
            cell: (s) =>
              s.status === "open" ? (
                <Button
                  busy={closing.busy}
                  aria-label={t("slots.closeOne", { when: timeRange(s.starts_at, s.ends_at) })}
                  onClick={() =>
                    closing.run(async () => {
                      await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/delivery-slots/{sid}/close", { params: { path: { ...mp(), sid: s.id! } } }));
                      list.reload();
                    })
                  }
                >
                  {t("slots.close")}
                </Button>
              ) : null,
          },
        ]}
      />
      <ActionForm class="card" action={a} title={t("slots.new")} submit={t("slots.create")} shownFields={["starts_at", "ends_at", "capacity"]} onSubmit={async () => {
        await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/delivery-slots", { params: { path: mp() }, body: { starts_at: isoFromLocal(starts), ends_at: isoFromLocal(ends), capacity: Number(capacity) } }));
        list.reload();
      }}>
        <div class="cols">
          <Field label={t("slots.starts")} name="starts_at" type="datetime-local" value={starts} onValue={setStarts} required error={a.fields.starts_at} />
          <Field label={t("slots.ends")} name="ends_at" type="datetime-local" value={ends} onValue={setEnds} required error={a.fields.ends_at} />
          <Field label={t("slots.capacity")} name="capacity" type="number" min="1" max="1000" step="1" value={capacity} onValue={setCapacity} required error={a.fields.capacity} />
        </div>
      </ActionForm>
    </section>
  );
}

// ---------------------------------------------------------------- reviews

export function Reviews() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/merchants/{mid}/reviews", { params: { path: mp(), query: { limit: 50, cursor } as never } })) as Promise<{ items: Schemas["MerchantReview"][]; next_cursor: string | null; rating?: { avg?: number | null; count?: number } }>, [cid.value]);
  const { data: summary } = useLoad(() => ok(api.GET("/v1/communities/{cid}/merchants/{mid}", { params: { path: mp() } })), [cid.value]);
  const rating = (summary as Schemas["Merchant"] | undefined)?.rating;
  return (
    <section>
      <div class="row between">
        <h1>{t("nav.reviews")}</h1>
        <CsvButton name="reviews.csv" head={["id", "order_id", "rating", "text", "created_at"]} rows={list.items?.map((r) => [r.id, r.order_id, r.rating, r.text, r.created_at])} />
      </div>
      {rating?.count ? <p class="big-line">{t("reviews.summary", { avg: (rating.avg ?? 0).toFixed(1), count: rating.count })}</p> : null}
      <p class="hint">{t("reviews.noReplies")}</p>
      <PagedList list={list} class="plain" empty={t("reviews.none")}>
        {(r) => (
          <li class="card">
            <p>
              <span class="stars-static" aria-label={t("shop.stars", { count: r.rating })}>
                {"★".repeat(r.rating ?? 0)}
                {"☆".repeat(5 - (r.rating ?? 0))}
              </span>{" "}
              · {t("merchant.order", { id: r.order_id })} · <Time at={r.created_at} />
            </p>
            {r.text && <p>{r.text}</p>}
          </li>
        )}
      </PagedList>
    </section>
  );
}

// ---------------------------------------------------------------- figures

const dayInput = (offsetDays: number) => new Date(Date.now() + offsetDays * 86400e3).toISOString().slice(0, 10);

function SalesChart({ days }: { days: { date?: string; sales_cents?: number }[] }) {
  return (
    <BarChart
      title={t("figures.salesByDay")}
      labels={days.map((d) => d.date ?? "")}
      values={days.map((d) => (d.sales_cents ?? 0) / 100)}
      described={days.map((d) => `${d.date} ${money(d.sales_cents)}`).join(", ")}
    />
  );
}

export function Figures() {
  const [from, setFrom] = useState(dayInput(-29));
  const [to, setTo] = useState(dayInput(0));
  const { data, error } = useLoad(() => ok(api.GET("/v1/communities/{cid}/merchants/{mid}/figures", { params: { path: mp(), query: { from: `${from}T00:00:00Z`, to: `${to}T23:59:59Z` } as never } })), [cid.value, from, to]);
  const f = data as Schemas["MerchantFigures"] | undefined;
  return (
    <section>
      <div class="row between">
        <h1>{t("nav.figures")}</h1>
        <CsvButton name={`figures-${from}-${to}.csv`} head={["date", "orders", "units", "sales"]} rows={f?.by_day?.map((d) => [d.date, d.orders, d.units, ((d.sales_cents ?? 0) / 100).toFixed(2)])} />
      </div>
      <div class="toolbar">
        <Field label={t("figures.from")} name="from" type="date" value={from} onValue={setFrom} />
        <Field label={t("figures.to")} name="to" type="date" value={to} onValue={setTo} />
      </div>
      <ErrorNote error={error} />
      {!f ? (
        <Skeleton lines={5} />
      ) : (
        <>
          <div class="tiles">
            <div class="tile">
              <span class="big">{money(f.sales_cents)}</span>
              <span>{t("figures.sales")}</span>
            </div>
            <div class="tile">
              <span class="big">{f.orders ?? 0}</span>
              <span>{t("figures.orders")}</span>
            </div>
            <div class="tile">
              <span class="big">{f.units ?? 0}</span>
              <span>{t("figures.units")}</span>
            </div>
            <div class="tile">
              <span class="big">{f.buyers ?? 0}</span>
              <span>{t("figures.buyers")}</span>
            </div>
            <div class="tile">
              <span class="big">{new Intl.NumberFormat(undefined, { style: "percent" }).format(f.repeat_buyer_rate ?? 0)}</span>
              <span>{t("figures.repeat")}</span>
            </div>
          </div>
          <h2>{t("figures.salesByDay")}</h2>
          {f.by_day?.length ? <SalesChart days={f.by_day} /> : <Empty>{t("figures.noSales")}</Empty>}
          {!!f.by_category?.length && (
            <>
              <h2>{t("figures.byCategory")}</h2>
              <DataTable
                caption={t("figures.byCategory")}
                rows={f.by_category}
                columns={[
                  { head: t("catalogue.category"), cell: (c) => c.category || "—" },
                  { head: t("figures.units"), num: true, cell: (c) => c.units },
                  { head: t("figures.sales"), num: true, cell: (c) => <Money cents={c.sales_cents} /> },
                ]}
              />
            </>
          )}
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- API keys

const scopes = ["orders:read", "orders:write", "products:read", "products:write", "coupons:read", "coupons:write", "figures:read", "groupbuys:write"];

export function ApiKeys() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/merchants/{mid}/api-keys", { params: { path: mp(), query: { limit: 50, cursor } } })), [cid.value]);
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>(["orders:read"]);
  const [fresh, setFresh] = useState<{ name: string; key: string } | null>(null);
  const a = useAction();
  const revoke = (k: Schemas["ApiKey"]) =>
    a.confirmed(t("apiKeys.confirmRevoke", { name: k.name }), async () => {
      await ok(api.DELETE("/v1/communities/{cid}/merchants/{mid}/api-keys/{kid}", { params: { path: { ...mp(), kid: k.id } } }));
      list.reload();
    });
  return (
    <section>
      <h1>{t("nav.apiKeys")}</h1>
      {fresh && <ShownOnce title={t("apiKeys.shownOnce", { name: fresh.name })} secret={fresh.key} testId="new-key" onDone={() => setFresh(null)} />}
      <ErrorNote error={list.error || a.error} />
      <DataTable
        caption={t("nav.apiKeys")}
        rows={list.items}
        empty={t("apiKeys.none")}
        columns={[
          { head: t("apiKeys.name"), cell: (k) => k.name },
          { head: t("apiKeys.prefix"), cell: (k) => <code>{k.prefix}…</code> },
          { head: t("apiKeys.scopes"), cell: (k) => k.scopes.join(", ") },
          { head: t("common.date"), cell: (k) => <Time at={k.created_at} opts={{ dateStyle: "medium" }} /> },
          {
            head: t("common.actions"),
            actions: true,
            cell: (k) => (
              <Button busy={a.busy} onClick={() => revoke(k)} aria-label={`${t("apiKeys.revoke")} ${k.name}`}>
                {t("apiKeys.revoke")}
              </Button>
            ),
          },
        ]}
      />
      <LoadMore list={list} />
      <ActionForm class="card" action={a} title={t("apiKeys.new")} submit={t("apiKeys.create")} disabled={!chosen.length} shownFields={["name", "scopes"]} onSubmit={async () => {
        const r = await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/api-keys", { params: { path: mp() }, body: { name, scopes: chosen } as never }));
        setFresh({ name: r.name, key: r.key });
        setName("");
        list.reload();
      }}>
        <Field label={t("apiKeys.name")} name="name" value={name} onValue={setName} required error={a.fields.name} />
        <fieldset class="scopes">
          <legend>{t("apiKeys.scopes")}</legend>
          {scopes.map((s) => (
            <label>
              <input type="checkbox" checked={chosen.includes(s)} onChange={(e) => setChosen((c) => ((e.currentTarget as HTMLInputElement).checked ? [...c, s] : c.filter((x) => x !== s)))} /> {s}
            </label>
          ))}
        </fieldset>
        {a.fields.scopes && <p class="field-error">{a.fields.scopes}</p>}
      </ActionForm>
    </section>
  );
}



// ---------------------------------------------------------------- the shop's staff

export function ShopStaff() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/merchants/{mid}/staff", { params: { path: mp(), query: { limit: 50, cursor } as never } })), [cid.value]);
  const [email, setEmail] = useState("");
  const a = useAction();
  const remove = (s: Schemas["MerchantAccount"]) =>
    a.confirmed(t("shopStaff.confirmRemove", { name: s.display_name }), async () => {
      await ok(api.DELETE("/v1/communities/{cid}/merchants/{mid}/staff/{account_id}", { params: { path: { ...mp(), account_id: s.account_id } } }));
      list.reload();
    });
  return (
    <section>
      <h1>{t("nav.shopStaff")}</h1>
      <p class="hint">{t("shopStaff.intro")}</p>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t("nav.shopStaff")}
        rows={list.items}
        empty={t("shopStaff.none")}
        rowProps={(s) => ({ "data-account": s.account_id })}
        columns={[
          { head: t("staff.name"), cell: (s) => s.display_name },
          { head: t("auth.email"), cell: (s) => s.email },
          { head: t("staff.role"), cell: (s) => t(`shopStaff.roles.${s.role}`) },
          { head: t("staff.since"), cell: (s) => <Time at={s.since} opts={{ dateStyle: "medium" }} /> },
          {
            head: t("common.actions"),
            actions: true,
            cell: (s) =>
              s.role === "staff" && (
                <Button busy={a.busy} onClick={() => remove(s)} aria-label={`${t("shopStaff.remove")} ${s.display_name}`}>
                  {t("shopStaff.remove")}
                </Button>
              ),
          },
        ]}
      />
      <LoadMore list={list} />
      <ActionForm class="card" action={a} title={t("shopStaff.add")} submit={t("shopStaff.addButton")} shownFields={["email"]} onSubmit={async () => {
        await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/staff", { params: { path: mp() }, body: { email: email.trim() } }));
        setEmail("");
        list.reload();
      }}>
        <Field label={t("auth.email")} name="email" type="email" value={email} onValue={setEmail} required error={a.fields.email} hint={t("shopStaff.emailHint")} />
      </ActionForm>
    </section>
  );
}
