// The manager's community-life screens: visitor passes, amenities and their bookings calendar,
// suggestions, merchants, staff and wallet top-ups. Loaded on first visit (not in first load).
import { useState } from "preact/hooks";
import { all, api, idempotencyKey, ok, type Schemas } from "../api/client";
import { dayOf, money, time } from "../lib/format";
import { t } from "../lib/i18n";
import { cid, hasRole } from "../lib/session";
import { ActionForm, Button, Chips, CsvButton, DataTable, ErrorNote, Field, Form, isoFromLocal, Loaded, LoadMore, localInput, Money, PagedList, ScanButton, Select, Skeleton, Status, Time, useAction, useLoad, usePaged } from "../ui/kit";
import { useUnits } from "./manager";

type Pass = Schemas["VisitorPass"];
type Booking = Schemas["Booking"];
type Merchant = Schemas["Merchant"];
const path = () => ({ cid: cid.value });

/** Residents (approved applicants) by account id, for pickers: the API has no member directory. */
function useResidents() {
  const { data } = useLoad(async () => {
    const apps = await all((cursor) => ok(api.GET("/v1/communities/{cid}/residency-applications", { params: { path: path(), query: { status: "approved", limit: 200, cursor } } })) as Promise<{ items: Schemas["ResidencyApplication"][]; next_cursor: string | null }>);
    const seen = new Map<number, string>();
    for (const a of apps) seen.set(a.applicant.id, `${a.applicant.display_name} <${a.applicant.email}>`);
    return [...seen].map(([value, label]) => ({ value, label }));
  }, [cid.value]);
  return data ?? [];
}

// ---------------------------------------------------------------- visitor passes

function IssuePass({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState("");
  const [from, setFrom] = useState(localInput(0));
  const [until, setUntil] = useState(localInput(240));
  const a = useAction();
  const [made, setMade] = useState<Pass | null>(null);
  return (
    <ActionForm class="card" action={a} title={t("passes.issue")} submit={t("passes.issueButton")} shownFields={["visitor_name", "valid_from", "valid_until"]} footer={made?.code && (
      <p class="ok" role="status">
        {t("passes.issued", { name: made.visitor_name })} <span class="code-inline">{made.code}</span>
      </p>
    )} onSubmit={async () => {
      setMade(await ok(api.POST("/v1/communities/{cid}/visitor-passes", { params: { path: path() }, body: { visitor_name: name, valid_from: isoFromLocal(from), valid_until: isoFromLocal(until) } })));
      setName("");
      onDone();
    }}>
      <div class="cols">
        <Field label={t("passes.visitor")} name="visitor_name" value={name} onValue={setName} required error={a.fields.visitor_name} />
        <Field label={t("passes.from")} name="valid_from" type="datetime-local" value={from} onValue={setFrom} required error={a.fields.valid_from} />
        <Field label={t("passes.until")} name="valid_until" type="datetime-local" value={until} onValue={setUntil} required error={a.fields.valid_until} />
      </div>
    </ActionForm>
  );
}

export function VisitorPasses() {
  const units = useUnits();
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/visitor-passes", { params: { path: path(), query: { limit: 50, cursor } } })), [cid.value]);
  const [code, setCode] = useState("");
  const [verified, setVerified] = useState<Pass | null>(null);
  const a = useAction();
  const verify = (value: string) =>
    a.run(async () => {
      setVerified(null);
      const p = await ok(api.POST("/v1/communities/{cid}/visitor-passes/verify", { params: { path: path() }, body: { code: value } }));
      setVerified(p);
      setCode("");
      list.replace(p);
    });
  const rows = list.items?.map((p) => [p.id, p.visitor_name, units.unit(p.unit_id), p.valid_from, p.valid_until, p.status, p.used_at]);
  return (
    <section>
      <h1>{t("nav.passes")}</h1>
      <Form class="card" onSubmit={() => verify(code)}>
        <h2>{t("passes.verify")}</h2>
        <Field label={t("passes.code")} name="code" value={code} onValue={setCode} required autoComplete="off" error={a.fields.code} class="code-input" />
        <div class="actions">
          <Button type="submit" class="primary" busy={a.busy}>
            {t("passes.verifyButton")}
          </Button>
          <ScanButton
            onCode={(c) => {
              setCode(c);
              verify(c);
            }}
            onError={a.setError}
          />
        </div>
        <ErrorNote error={a.error} shownFields={["code"]} />
        {verified && (
          <p class="ok" role="status" data-testid="pass-verified">
            {t("passes.valid", { name: verified.visitor_name, unit: units.unit(verified.unit_id) })} · {time(verified.valid_from)}–{time(verified.valid_until)}
          </p>
        )}
      </Form>
      {hasRole("resident") ? <IssuePass onDone={list.reload} /> : <p class="hint">{t("passes.residentsIssue")}</p>}
      <div class="row between">
        <h2>{t("passes.all")}</h2>
        <CsvButton name={`visitor-passes-${cid.value}.csv`} head={["id", "visitor", "unit", "valid_from", "valid_until", "status", "used_at"]} rows={rows} />
      </div>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t("passes.all")}
        rows={list.items}
        empty={t("passes.none")}
        rowProps={(p) => ({ "data-pass": p.id })}
        columns={[
          { head: t("passes.visitor"), cell: (p) => p.visitor_name },
          { head: t("common.unit"), cell: (p) => units.unit(p.unit_id) },
          { head: t("passes.from"), cell: (p) => <Time at={p.valid_from} /> },
          { head: t("passes.until"), cell: (p) => <Time at={p.valid_until} /> },
          { head: t("common.status"), cell: (p) => <><Status value={p.status} /> {p.used_at && <Time at={p.used_at} opts={{ timeStyle: "short" }} />}</> },
        ]}
      />
      <LoadMore list={list} />
    </section>
  );
}

// ---------------------------------------------------------------- amenities and the bookings calendar

function startOfWeek(offset: number): Date {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7) + offset * 7);
  return d;
}
const rfc = (d: Date) => d.toISOString().replace(/\.\d+Z$/, "Z");

function BookingCalendar({ amenity }: { amenity: Schemas["Amenity"] }) {
  const [week, setWeek] = useState(0);
  const start = startOfWeek(week);
  const days = Array.from({ length: 7 }, (_, i) => new Date(start.getTime() + i * 86400e3));
  const end = new Date(start.getTime() + 7 * 86400e3);
  const { data, error, setData } = useLoad(
    () => all((cursor) => ok(api.GET("/v1/communities/{cid}/amenities/{aid}/bookings", { params: { path: { cid: cid.value, aid: amenity.id }, query: { from: rfc(start), to: rfc(end), limit: 200, cursor } } })) as Promise<{ items: Booking[]; next_cursor: string | null }>),
    [cid.value, amenity.id, week],
  );
  const a = useAction();
  const cancel = (b: Booking) =>
    a.confirmed(t("amenities.confirmCancel"), async () => {
      await ok(api.DELETE("/v1/communities/{cid}/amenities/{aid}/bookings/{id}", { params: { path: { cid: cid.value, aid: amenity.id, id: b.id } } }));
      setData((d) => d?.map((x) => (x.id === b.id ? { ...x, status: "cancelled" as const } : x)));
    });
  const active = (data ?? []).filter((b) => b.status === "active");
  return (
    <section aria-labelledby="cal-h">
      <div class="row between">
        <h2 id="cal-h">{t("amenities.calendar", { name: amenity.name })}</h2>
        <div class="actions">
          <Button onClick={() => setWeek((w) => w - 1)}>{t("amenities.prevWeek")}</Button>
          <Button onClick={() => setWeek(0)}>{t("amenities.thisWeek")}</Button>
          <Button onClick={() => setWeek((w) => w + 1)}>{t("amenities.nextWeek")}</Button>
          <CsvButton name={`bookings-${amenity.id}-${dayOf(start)}.csv`} head={["id", "starts_at", "ends_at", "account_id", "status"]} rows={data?.map((b) => [b.id, b.starts_at, b.ends_at, b.account_id, b.status])} />
        </div>
      </div>
      <ErrorNote error={error || a.error} />
      {!data ? (
        <Skeleton lines={4} />
      ) : (
        <div class="week" role="list">
          {days.map((d) => {
            const key = dayOf(d);
            const list = active.filter((b) => dayOf(b.starts_at) === key).sort((x, y) => x.starts_at.localeCompare(y.starts_at));
            return (
              <div class={`day${key === dayOf(new Date()) ? " today" : ""}`} role="listitem" data-day={key}>
                <h3>{new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" }).format(d)}</h3>
                {!list.length && <p class="meta">—</p>}
                {list.map((b) => (
                  <div class="slot" data-booking={b.id}>
                    <strong>
                      {time(b.starts_at)}–{time(b.ends_at)}
                    </strong>
                    <small>{b.account_id ? `#${b.account_id}` : ""}</small>
                    <button type="button" class="link" onClick={() => cancel(b)} aria-label={`${t("amenities.cancel")} ${time(b.starts_at)}`}>
                      {t("amenities.cancel")}
                    </button>
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}

export function Amenities() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/amenities", { params: { path: path(), query: { limit: 50, cursor } } })), [cid.value]);
  const [selected, setSelected] = useState<number | null>(null);
  const [name, setName] = useState("");
  const [capacity, setCapacity] = useState("1");
  const a = useAction();
  const amenity = list.items?.find((x) => x.id === selected) ?? list.items?.[0];
  return (
    <section>
      <h1>{t("nav.amenities")}</h1>
      <ErrorNote error={list.error} />
      <Loaded data={list.items} lines={2} empty={t("amenities.none")}>
        {(items) => (
          <Chips label={t("nav.amenities")} value={amenity?.id} onValue={setSelected} options={items.map((x) => ({ value: x.id, label: `${x.name} · ${t("amenities.capacity", { count: x.capacity })}` }))}>
            <LoadMore list={list} />
          </Chips>
        )}
      </Loaded>
      {amenity && <BookingCalendar amenity={amenity} />}
      <Form class="card" onSubmit={() =>
        a.run(async () => {
          const made = await ok(api.POST("/v1/communities/{cid}/amenities", { params: { path: path() }, body: { name, capacity: Number(capacity) } }));
          setName("");
          setSelected(made.id);
          list.reload();
        })
      }>
        <h2>{t("amenities.add")}</h2>
        <div class="inline-form">
          <Field label={t("amenities.name")} name="name" value={name} onValue={setName} required error={a.fields.name} />
          <Field label={t("amenities.capacityLabel")} name="capacity" type="number" min="1" step="1" value={capacity} onValue={setCapacity} required error={a.fields.capacity} />
          <Button type="submit" busy={a.busy}>
            {t("amenities.addButton")}
          </Button>
        </div>
        <ErrorNote error={a.error} shownFields={["name", "capacity"]} />
      </Form>
    </section>
  );
}

// ---------------------------------------------------------------- suggestions

export function Suggestions() {
  const [sort, setSort] = useState<"votes" | "new">("votes");
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/suggestions", { params: { path: path(), query: { sort, limit: 50, cursor } } })), [cid.value, sort]);
  return (
    <section>
      <div class="row between">
        <h1>{t("nav.suggestions")}</h1>
        <CsvButton name={`suggestions-${cid.value}.csv`} head={["id", "title", "body", "votes", "created_at"]} rows={list.items?.map((s) => [s.id, s.title, s.body, s.vote_count, s.created_at])} />
      </div>
      <div class="toolbar">
        <Select label={t("suggestions.sort")} name="sort" value={sort} onValue={(v) => setSort(v as typeof sort)} options={[{ value: "votes", label: t("suggestions.byVotes") }, { value: "new", label: t("suggestions.newest") }]} />
      </div>
      <PagedList list={list} class="plain" empty={t("suggestions.none")}>
        {(s) => (
          <li class="card suggestion">
            <span class="votes" aria-label={t("suggestions.votes", { count: s.vote_count })}>
              {s.vote_count}
            </span>
            <div>
              <h3>{s.title}</h3>
              <p>{s.body}</p>
              <p class="meta">
                <Time at={s.created_at} />
              </p>
            </div>
          </li>
        )}
      </PagedList>
    </section>
  );
}

// ---------------------------------------------------------------- merchants

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** "Mon 08:00–18:00 · Tue …": the days a merchant said it is open. */
function hours(h: Merchant["opening_hours"]): string {
  if (!h) return t("merchants.hoursUnstated");
  const days = DAYS.filter((d) => h[d]?.length).map((d) => `${t(`merchants.days.${d}`)} ${h[d]!.map((x) => `${x.open}–${x.close}`).join(", ")}`);
  return days.length ? days.join(" · ") : t("merchants.closedAllWeek");
}

function MerchantDetails({ m, onDecided }: { m: Merchant; onDecided: (m: Merchant) => void }) {
  const units = useUnits();
  const [reason, setReason] = useState("");
  const a = useAction();
  const decide = (what: "reject" | "suspend") =>
    a.run(async () => {
      const body = { reason: reason.trim() };
      const r =
        what === "reject"
          ? await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/reject", { params: { path: { cid: cid.value, mid: m.id! } }, body }))
          : await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/suspend", { params: { path: { cid: cid.value, mid: m.id! } }, body }));
      onDecided(r as Merchant);
    });
  const area = m.service_area && typeof m.service_area === "object" ? m.service_area.building_ids.map((b) => units.buildings.find((x) => x.id === b)?.name ?? `#${b}`).join(", ") : t("merchants.wholeCommunity");
  return (
    <div class="details">
      <dl class="facts">
        {m.description && (
          <>
            <dt>{t("merchants.description")}</dt>
            <dd>{m.description}</dd>
          </>
        )}
        <dt>{t("merchants.contact")}</dt>
        <dd>{[m.contact?.email, m.contact?.phone].filter(Boolean).join(" · ") || "—"}</dd>
        <dt>{t("merchants.hours")}</dt>
        <dd>{hours(m.opening_hours)}</dd>
        <dt>{t("merchants.area")}</dt>
        <dd>{area}</dd>
        <dt>{t("merchants.fulfilment")}</dt>
        <dd>{(m.fulfilment ?? []).map((f) => t(`merchants.modes.${f}`)).join(", ") || "—"}</dd>
        {m.decision_reason && (
          <>
            <dt>{t("merchants.reason")}</dt>
            <dd>{m.decision_reason}</dd>
          </>
        )}
      </dl>
      {(m.status === "pending" || m.status === "approved") && (
        <form class="inline" onSubmit={(e) => e.preventDefault()}>
          <Field label={t("merchants.reasonLabel")} name="reason" value={reason} onValue={setReason} error={a.fields.reason} hint={t("merchants.reasonHint")} />
          <ErrorNote error={a.error} shownFields={["reason"]} />
          <Button busy={a.busy} disabled={!reason.trim()} onClick={() => decide(m.status === "pending" ? "reject" : "suspend")}>
            {m.status === "pending" ? t("applications.reject") : t("merchants.suspend")}
          </Button>
        </form>
      )}
    </div>
  );
}

export function Merchants() {
  const [status, setStatus] = useState<"" | "pending" | "approved" | "rejected" | "suspended">("pending");
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/merchants", { params: { path: path(), query: { status: status || undefined, limit: 50, cursor } as never } })) as Promise<{ items: Merchant[]; next_cursor: string | null }>, [cid.value, status]);
  const settings = useLoad(() => ok(api.GET("/v1/communities/{cid}/merchant-settings", { params: { path: path() } })), [cid.value]);
  const [open, setOpen] = useState<number | null>(null);
  const a = useAction();
  const post = (m: Merchant, what: "approve" | "reinstate") =>
    a.run(async () => {
      const at = { params: { path: { cid: cid.value, mid: m.id! } } };
      list.replace((what === "approve" ? await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/approve", at)) : await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/reinstate", at))) as Merchant);
    });
  const outsiders = settings.data?.merchant_applications_open;
  return (
    <section>
      <div class="row between">
        <h1>{t("nav.merchants")}</h1>
        <CsvButton name={`merchants-${cid.value}.csv`} head={["id", "name", "category", "status", "email", "phone", "rating", "created_at"]} rows={list.items?.map((m) => [m.id, m.name, m.category, m.status, m.contact?.email, m.contact?.phone, m.rating?.avg, m.created_at])} />
      </div>
      <div class="toolbar">
        <Select label={t("common.status")} name="merchant-status" value={status} onValue={(v) => setStatus(v as typeof status)} options={[{ value: "", label: t("common.all") }, ...["pending", "approved", "suspended", "rejected"].map((s) => ({ value: s, label: t(`state.${s}`) }))]} />
        {outsiders !== undefined && (
          <label class="check">
            <input
              type="checkbox"
              name="applications-open"
              checked={outsiders}
              onChange={(e) => a.run(async () => {
                await ok(api.PUT("/v1/communities/{cid}/merchant-settings", { params: { path: path() }, body: { merchant_applications_open: (e.target as HTMLInputElement).checked } }));
                settings.reload();
              })}
            />{" "}
            {t("merchants.openToOutsiders")}
          </label>
        )}
      </div>
      <ErrorNote error={list.error || settings.error || a.error} />
      <DataTable
        caption={t("nav.merchants")}
        rows={list.items}
        empty={t("merchants.none")}
        rowProps={(m) => ({ "data-merchant": m.id })}
        expanded={(m) => open === m.id && <MerchantDetails m={m} onDecided={(r) => { list.replace(r); setOpen(null); }} />}
        columns={[
          { head: t("merchants.name"), cell: (m) => <>{m.name}<br /><small>{m.contact?.email ?? m.contact?.phone ?? ""}</small></> },
          { head: t("catalogue.category"), cell: (m) => m.category },
          { head: t("merchants.rating"), cell: (m) => (m.rating?.count ? `${(m.rating.avg ?? 0).toFixed(1)} ★ (${m.rating.count})` : "—") },
          { head: t("common.status"), cell: (m) => <><Status value={m.status} />{m.decision_reason && <small> {m.decision_reason}</small>}</> },
          {
            head: t("common.actions"),
            actions: true,
            cell: (m) => (
              <>
                <button type="button" class="link" aria-expanded={open === m.id ? "true" : "false"} onClick={() => setOpen(open === m.id ? null : m.id!)} aria-label={`${t("merchants.details")} ${m.name}`}>
                  {t("merchants.details")}
                </button>{" "}
                {m.status === "pending" && (
                  <Button class="primary" busy={a.busy} onClick={() => post(m, "approve")} aria-label={`${t("applications.approve")} ${m.name}`}>
                    {t("applications.approve")}
                  </Button>
                )}
                {m.status === "suspended" && (
                  <Button busy={a.busy} onClick={() => post(m, "reinstate")} aria-label={`${t("merchants.reinstate")} ${m.name}`}>
                    {t("merchants.reinstate")}
                  </Button>
                )}
              </>
            ),
          },
        ]}
      />
      <LoadMore list={list} />
    </section>
  );
}

// ---------------------------------------------------------------- staff

function AccountPicker({ value, onValue, error, options }: { value: string; onValue: (v: string) => void; error?: string; options: { value: number; label: string }[] }) {
  return (
    <>
      <Select label={t("staff.resident")} name="account_pick" value={options.some((o) => String(o.value) === value) ? value : ""} onValue={onValue} options={[{ value: "", label: "—" }, ...options]} />
      <Field label={t("staff.accountId")} name="account_id" type="number" min="1" step="1" value={value} onValue={onValue} required error={error} />
    </>
  );
}

export function Staff() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/staff", { params: { path: path(), query: { limit: 50, cursor } } })), [cid.value]);
  const residents = useResidents();
  const [account, setAccount] = useState("");
  const [role, setRole] = useState<"manager" | "courier">("courier");
  const a = useAction();
  return (
    <section>
      <div class="row between">
        <h1>{t("nav.staff")}</h1>
        <CsvButton name={`staff-${cid.value}.csv`} head={["account_id", "name", "email", "role", "since"]} rows={list.items?.map((s) => [s.account_id, s.display_name, s.email, s.role, s.since])} />
      </div>
      <ErrorNote error={list.error} />
      <DataTable
        caption={t("nav.staff")}
        rows={list.items}
        columns={[
          { head: t("staff.name"), cell: (s) => s.display_name },
          { head: t("auth.email"), cell: (s) => s.email },
          { head: t("staff.role"), cell: (s) => t(`staff.roles.${s.role}`) },
          { head: t("staff.since"), cell: (s) => <Time at={s.since} opts={{ dateStyle: "medium" }} /> },
        ]}
      />
      <LoadMore list={list} />
      <ActionForm class="card" action={a} title={t("staff.grant")} submit={t("staff.grantButton")} shownFields={["account_id", "role"]} onSubmit={async () => {
        await ok(api.POST("/v1/communities/{cid}/staff", { params: { path: path() }, body: { account_id: Number(account), role } }));
        setAccount("");
        list.reload();
      }}>
        <div class="cols">
          <AccountPicker value={account} onValue={setAccount} error={a.fields.account_id} options={residents} />
          <Select label={t("staff.role")} name="role" value={role} onValue={(v) => setRole(v as typeof role)} error={a.fields.role} options={["courier", "manager"].map((r) => ({ value: r, label: t(`staff.roles.${r}`) }))} />
        </div>
      </ActionForm>
    </section>
  );
}

// ---------------------------------------------------------------- wallet top-ups

function MemberStatement({ account }: { account: number }) {
  const [entries, setEntries] = useState<Schemas["WalletStatement"]["entries"] | null>(null);
  const [balance, setBalance] = useState<number | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const a = useAction();
  const load = (more: boolean) =>
    a.run(async () => {
      const r = await ok(api.GET("/v1/communities/{cid}/wallets/{account_id}", { params: { path: { cid: cid.value, account_id: account }, query: { limit: 20, cursor: more ? (cursor ?? undefined) : undefined } } }));
      setBalance(r.balance_cents);
      setEntries((prev) => [...(more && prev ? prev : []), ...r.entries]);
      setCursor(r.next_cursor);
    });
  useLoad(() => load(false), [account, cid.value]);
  return (
    <section aria-labelledby="stmt-h">
      <div class="row between">
        <h2 id="stmt-h">
          {t("topups.statement")} · <span data-testid="member-balance">{balance === null ? "…" : money(balance)}</span>
        </h2>
        <CsvButton name={`wallet-${account}.csv`} head={["id", "created_at", "kind", "reference", "amount"]} rows={entries?.map((e) => [e.id, e.created_at, e.kind, e.reference, ((e.amount_cents ?? 0) / 100).toFixed(2)])} />
      </div>
      <ErrorNote error={a.error} />
      <DataTable
        caption={t("topups.statement")}
        rows={entries}
        empty={t("topups.noEntries")}
        columns={[
          { head: t("common.date"), cell: (e) => <Time at={e.created_at} /> },
          { head: t("topups.kind"), cell: (e) => (e.kind ? t(`me.kind.${e.kind}`, { defaultValue: e.kind }) : "") },
          { head: t("billing.amount"), num: true, cell: (e) => <Money cents={e.amount_cents} /> },
        ]}
      />
      {cursor && (
        <Button busy={a.busy} onClick={() => load(true)}>
          {t("common.more")}
        </Button>
      )}
    </section>
  );
}

export function TopUps() {
  const residents = useResidents();
  const [account, setAccount] = useState("");
  const [amount, setAmount] = useState("");
  const [shown, setShown] = useState<number | null>(null);
  const [version, setVersion] = useState(0);
  const [done, setDone] = useState<{ amount_cents?: number; balance_cents?: number } | null>(null);
  const a = useAction();
  return (
    <section>
      <h1>{t("nav.topups")}</h1>
      <Form class="card" onSubmit={() =>
        a.run(async () => {
          const cents = Math.round(Number(amount) * 100);
          if (!confirm(t("topups.confirm", { amount: money(cents), account: residents.find((r) => String(r.value) === account)?.label ?? `#${account}` }))) return;
          const r = await ok(api.POST("/v1/communities/{cid}/wallets/{account_id}/top-ups", { params: { path: { cid: cid.value, account_id: Number(account) }, header: { "Idempotency-Key": idempotencyKey() } as never }, body: { amount_cents: cents } }));
          setDone(r);
          setAmount("");
          setShown(Number(account));
          setVersion((v) => v + 1);
        })
      }>
        <div class="cols">
          <AccountPicker value={account} onValue={setAccount} error={a.fields.account_id} options={residents} />
          <Field label={t("billing.amount")} name="amount_cents" type="number" min="0.01" step="0.01" value={amount} onValue={setAmount} required error={a.fields.amount_cents} />
        </div>
        <ErrorNote error={a.error} shownFields={["account_id", "amount_cents"]} />
        <div class="actions">
          <Button type="submit" class="primary" busy={a.busy}>
            {t("topups.button")}
          </Button>
          <Button disabled={!account} onClick={() => setShown(Number(account))}>
            {t("topups.show")}
          </Button>
        </div>
        {done && (
          <p class="ok" role="status">
            {t("topups.done", { amount: money(done.amount_cents), balance: money(done.balance_cents) })}
          </p>
        )}
      </Form>
      {shown ? <MemberStatement key={`${shown}-${version}`} account={shown} /> : null}
    </section>
  );
}



// ---------------------------------------------------------------- refund disputes

type Refund = Schemas["Refund"];

/** One disputed refund: what the resident asked, what the shop answered, why the resident
 *  disagrees; the manager refunds the resident or keeps the shop's decision, with a reason. */
function Dispute({ r, shop, onDone }: { r: Refund; shop?: string; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const a = useAction();
  const decide = (decision: "accept" | "decline") =>
    a.run(async () => {
      await ok(api.POST("/v1/communities/{cid}/refunds/{rid}/arbitrate", { params: { path: { cid: cid.value, rid: r.id! }, header: { "Idempotency-Key": idempotencyKey() } as never }, body: { decision, reason } }));
      onDone();
    });
  return (
    <li class="card" data-refund={r.id}>
      <h2>
        {t("disputes.refund", { id: r.id, order: r.order_id })} · <Money cents={r.goods_cents} />
      </h2>
      <p class="meta">
        <Status value={`refund_${r.status}`} /> · {shop ?? t("disputes.shop", { id: r.merchant_id })} · <Time at={r.created_at} />
      </p>
      <dl class="facts">
        <dt>{t("disputes.asked")}</dt>
        <dd>{r.reason}</dd>
        <dt>{t("disputes.shopSaid")}</dt>
        <dd>{r.decision?.reason}</dd>
        <dt>{t("disputes.residentSaid")}</dt>
        <dd>{r.dispute?.reason}</dd>
        {r.arbitration?.reason && (
          <>
            <dt>{t("refunds.managersSaid")}</dt>
            <dd>{r.arbitration.reason}</dd>
          </>
        )}
      </dl>
      {r.status === "disputed" && (
        <form onSubmit={(e) => e.preventDefault()}>
          <Field label={t("disputes.reason")} name="reason" value={reason} onValue={setReason} required error={a.fields.reason} />
          <ErrorNote error={a.error} shownFields={["reason"]} />
          <div class="actions">
            <Button class="primary" busy={a.busy} disabled={!reason.trim()} onClick={() => decide("accept")}>
              {t("disputes.uphold")}
            </Button>
            <Button busy={a.busy} disabled={!reason.trim()} onClick={() => decide("decline")}>
              {t("disputes.overrule")}
            </Button>
          </div>
        </form>
      )}
    </li>
  );
}

export function RefundDisputes() {
  const [status, setStatus] = useState<"disputed" | "completed" | "rejected">("disputed");
  const shops = useLoad(async () => new Map((await all((cursor) => ok(api.GET("/v1/communities/{cid}/merchants", { params: { path: path(), query: { limit: 200, cursor } as never } })) as Promise<{ items: Merchant[]; next_cursor: string | null }>)).map((m) => [m.id, m.name])), [cid.value]);
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/refunds", { params: { path: path(), query: { status, limit: 50, cursor } } })) as Promise<{ items: Refund[]; next_cursor: string | null }>, [cid.value, status]);
  return (
    <section>
      <h1>{t("nav.refundDisputes")}</h1>
      <p class="meta">{t("disputes.intro")}</p>
      <div class="toolbar">
        <Select label={t("common.status")} name="refund-status" value={status} onValue={(v) => setStatus(v as typeof status)} options={(["disputed", "completed", "rejected"] as const).map((s) => ({ value: s, label: t(`state.refund_${s}`) }))} />
      </div>
      <PagedList list={list} class="plain cols" empty={t("disputes.none")}>
        {(r) => <Dispute key={r.id} r={r} shop={shops.data?.get(r.merchant_id)} onDone={list.reload} />}
      </PagedList>
    </section>
  );
}
