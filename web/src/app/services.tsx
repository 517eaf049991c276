// Property services for residents: repair tickets (rated on close), visitor passes as QR codes
// (kept for offline display), amenity booking on a day calendar, suggestions and votes.
import { useState } from "preact/hooks";
import { all, api, idempotencyKey, ok, type Schemas } from "../api/client";
import { dayOf, locale, time, timeZone } from "../lib/format";
import { t } from "../lib/i18n";
import { cid, unitId } from "../lib/session";
import { ActionForm, Button, Chips, ErrorNote, Field, Form, isoFromLocal, ListOf, Loaded, LoadMore, localInput, PagedList, Section, Select, Skeleton, StarsInput, Status, TextArea, Time, useAction, useLoad, usePaged } from "../ui/kit";
import { ShowCode } from "./codecard";
import { cacheCode } from "./codes";
import { Back } from "./nav";

type Ticket = Schemas["Ticket"];
type Pass = Schemas["VisitorPass"];
type Booking = Schemas["Booking"];

// ---------------------------------------------------------------- repair tickets

const categories = ["plumbing", "electrical", "structural", "appliance", "common_area", "other"] as const;

function CloseTicket({ tk, onDone }: { tk: Ticket; onDone: (t: Ticket) => void }) {
  const [rating, setRating] = useState(5);
  const [comment, setComment] = useState("");
  const a = useAction();
  return (
    <ActionForm action={a} submit={t("repairs.close")} buttonClass="primary wide" shownFields={["comment"]} onSubmit={async () => onDone(await ok(api.POST("/v1/communities/{cid}/tickets/{id}/close", { params: { path: { cid: cid.value, id: tk.id } }, body: { rating, comment: comment || null } })))}>
      <p class="meta">{t("repairs.rateIntro")}</p>
      <StarsInput value={rating} onValue={setRating} />
      <TextArea label={t("repairs.comment")} name="comment" value={comment} onValue={setComment} error={a.fields.comment} />
    </ActionForm>
  );
}

export function Repairs() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/tickets", { params: { path: { cid: cid.value }, query: { limit: 20, cursor } } })), [cid.value]);
  const [category, setCategory] = useState<(typeof categories)[number]>("plumbing");
  const [description, setDescription] = useState("");
  const a = useAction();
  const update = (tk: Ticket) => list.setItems((items) => items?.map((x) => (x.id === tk.id ? { ...x, ...tk } : x)) ?? null);
  return (
    <div class="page">
      <Back />
      <h1>{t("repairs.title")}</h1>
      <ActionForm class="card" action={a} title={t("repairs.new")} submit={t("repairs.submit")} buttonClass="primary wide" shownFields={["category", "description"]} onSubmit={async () => {
        const tk = await ok(api.POST("/v1/communities/{cid}/tickets", { params: { path: { cid: cid.value } }, body: { unit_id: unitId() ?? 0, category, description } }));
        setDescription("");
        list.add(tk);
      }}>
        <Select label={t("repairs.category")} name="category" value={category} onValue={(v) => setCategory(v as typeof category)} error={a.fields.category} options={categories.map((c) => ({ value: c, label: t(`repairs.categories.${c}`) }))} />
        <TextArea label={t("repairs.description")} name="description" value={description} onValue={setDescription} required error={a.fields.description} />
      </ActionForm>
      <h2>{t("repairs.mine")}</h2>
      <PagedList list={list} class="plain cards" empty={t("repairs.none")}>
        {(tk) => (
          <li class="card" data-ticket={tk.id}>
            <div class="row between">
              <strong>
                #{tk.id} {t(`repairs.categories.${tk.category}`, { defaultValue: tk.category })}
              </strong>
              <Status value={tk.status} />
            </div>
            <p>{tk.description}</p>
            <p class="meta">
              <Time at={tk.created_at} />
            </p>
            {tk.resolution_note && <p class="ok">{tk.resolution_note}</p>}
            {tk.status === "resolved" && <CloseTicket tk={tk} onDone={update} />}
            {tk.status === "closed" && tk.rating ? <p class="meta">{t("repairs.rated", { count: tk.rating })}</p> : null}
          </li>
        )}
      </PagedList>
    </div>
  );
}

// ---------------------------------------------------------------- visitor passes

function remember(p: Pass) {
  if (p.code) cacheCode({ kind: "visitor", id: p.id, community_id: p.community_id, code: p.code, title: p.visitor_name, status: p.status });
}

export function PassCard({ p }: { p: Pass }) {
  return (
    <li class="card" data-pass={p.id}>
      <div class="row between">
        <span>
          <strong>{p.visitor_name}</strong>
          <br />
          <small>
            <Time at={p.valid_from} opts={{ dateStyle: "medium", timeStyle: "short" }} /> – {time(p.valid_until)}
          </small>
        </span>
        <Status value={p.status} />
      </div>
      {p.code && p.status === "active" && (
        <ShowCode show={t("passes.showCode")} code={p.code} testid="visitor-code" label={t("passes.qrLabel", { name: p.visitor_name, code: p.code })}>
          <p class="meta">{t("passes.shareHint")}</p>
        </ShowCode>
      )}
    </li>
  );
}

export function Visitors() {
  const list = usePaged(async (cursor) => {
    const r = await ok(api.GET("/v1/communities/{cid}/visitor-passes", { params: { path: { cid: cid.value }, query: { limit: 20, cursor } } }));
    r.items.forEach(remember);
    return r;
  }, [cid.value]);
  const [name, setName] = useState("");
  const [from, setFrom] = useState(localInput(0));
  const [hours, setHours] = useState("4");
  const a = useAction();
  return (
    <div class="page">
      <Back />
      <h1>{t("passes.title")}</h1>
      <ActionForm class="card" action={a} title={t("passes.issue")} submit={t("passes.issueButton")} buttonClass="primary wide" shownFields={["visitor_name", "valid_from", "valid_until"]} onSubmit={async () => {
        const start = new Date(from);
        const until = new Date(start.getTime() + Number(hours) * 3600e3).toISOString().replace(/\.\d+Z$/, "Z");
        const p = await ok(api.POST("/v1/communities/{cid}/visitor-passes", { params: { path: { cid: cid.value } }, body: { visitor_name: name, valid_from: isoFromLocal(from), valid_until: until } }));
        remember(p);
        setName("");
        list.add(p);
      }}>
        <Field label={t("passes.visitor")} name="visitor_name" value={name} onValue={setName} required error={a.fields.visitor_name} />
        <Field label={t("passes.from")} name="valid_from" type="datetime-local" value={from} onValue={setFrom} required error={a.fields.valid_from} />
        <Select label={t("passes.hours")} name="hours" value={hours} onValue={setHours} error={a.fields.valid_until} options={["2", "4", "8", "24"].map((h) => ({ value: h, label: t("passes.forHours", { count: Number(h) }) }))} />
      </ActionForm>
      <h2>{t("passes.mine")}</h2>
      <PagedList list={list} class="plain cards" empty={t("passes.none")}>
        {(p) => <PassCard key={p.id} p={p} />}
      </PagedList>
    </div>
  );
}

// ---------------------------------------------------------------- amenity booking

const HOURS = Array.from({ length: 15 }, (_, i) => 7 + i); // 07:00 .. 21:00 starts

/** The zone's UTC offset (ms) at an instant. */
function zoneOffset(ms: number): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone: timeZone.value, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - Math.floor(ms / 1000) * 1000;
}
/** Midnight, in the community's time zone, `offset` days from today there. */
function dayStart(offset: number): Date {
  const [y, m, d] = dayOf(new Date()).split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d + offset);
  return new Date(guess - zoneOffset(guess));
}
const rfc = (d: Date) => d.toISOString().replace(/\.\d+Z$/, "Z");

function DaySlots({ amenity, day }: { amenity: Schemas["Amenity"]; day: number }) {
  const start = dayStart(day);
  const end = new Date(start.getTime() + 86400e3);
  const { data, error, reload } = useLoad(
    () => all((cursor) => ok(api.GET("/v1/communities/{cid}/amenities/{aid}/bookings", { params: { path: { cid: cid.value, aid: amenity.id }, query: { from: rfc(start), to: rfc(end), limit: 200, cursor } } })) as Promise<{ items: Booking[]; next_cursor: string | null }>),
    [amenity.id, day],
  );
  const a = useAction();
  const [done, setDone] = useState<Booking | null>(null);
  const book = (h: number) =>
    a.run(async () => {
      const s = new Date(start.getTime() + h * 3600e3);
      const e = new Date(s.getTime() + 3600e3);
      setDone(await ok(api.POST("/v1/communities/{cid}/amenities/{aid}/bookings", { params: { path: { cid: cid.value, aid: amenity.id }, header: { "Idempotency-Key": idempotencyKey() } as never }, body: { starts_at: rfc(s), ends_at: rfc(e) } })));
      reload();
    });
  const cancel = (b: Booking) =>
    a.run(async () => {
      await ok(api.DELETE("/v1/communities/{cid}/amenities/{aid}/bookings/{id}", { params: { path: { cid: cid.value, aid: amenity.id, id: b.id } } }));
      setDone(null);
      reload();
    });
  const active = (data ?? []).filter((b) => b.status === "active");
  const now = Date.now();
  return (
    <Section id="slots-h" title={t("amenities.slotsFor", { name: amenity.name })}>
      <ErrorNote error={error || a.error} />
      {done && (
        <p class="ok" role="status">
          {t("amenities.booked", { name: amenity.name, time: `${time(done.starts_at)}–${time(done.ends_at)}` })}
        </p>
      )}
      {!data ? (
        <Skeleton lines={6} />
      ) : (
        <ul class="plain slots">
          {HOURS.map((h) => {
            const s = new Date(start.getTime() + h * 3600e3);
            const e = s.getTime() + 3600e3;
            const here = active.filter((b) => Date.parse(b.starts_at) < e && Date.parse(b.ends_at) > s.getTime());
            const mine = here.find((b) => b.mine);
            const full = here.length >= amenity.capacity;
            const past = e <= now;
            const label = `${time(rfc(s))}–${time(rfc(new Date(e)))}`;
            return (
              <li class={`slot-row${mine ? " mine" : full ? " full" : ""}`} data-hour={h}>
                <span>
                  <strong>{label}</strong>
                  <br />
                  <small>{mine ? t("amenities.yours") : t("amenities.taken", { count: here.length, capacity: amenity.capacity })}</small>
                </span>
                {mine ? (
                  <Button busy={a.busy} onClick={() => cancel(mine)} aria-label={`${t("amenities.cancel")} ${label}`}>
                    {t("amenities.cancel")}
                  </Button>
                ) : (
                  <Button class="primary" busy={a.busy} disabled={full || past} onClick={() => book(h)} aria-label={`${t("amenities.book")} ${label}`}>
                    {full ? t("amenities.full") : t("amenities.book")}
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}

export function AmenityBooking() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/amenities", { params: { path: { cid: cid.value }, query: { limit: 50, cursor } } })), [cid.value]);
  const [selected, setSelected] = useState<number | null>(null);
  const [day, setDay] = useState(0);
  const amenity = list.items?.find((x) => x.id === selected) ?? list.items?.[0];
  const fmt = new Intl.DateTimeFormat(locale.value, { weekday: "short", day: "numeric", timeZone: timeZone.value });
  return (
    <div class="page">
      <Back />
      <h1>{t("amenities.title")}</h1>
      <ErrorNote error={list.error} />
      <Loaded data={list.items} lines={2} empty={t("amenities.none")}>
        {(items) => (
          <>
            <Chips label={t("amenities.which")} value={amenity?.id} onValue={setSelected} options={items.map((x) => ({ value: x.id, label: x.name }))} />
            <Chips class="chips days" label={t("amenities.day")} value={day} onValue={setDay} options={Array.from({ length: 7 }, (_, i) => ({ value: i, label: i === 0 ? t("amenities.today") : fmt.format(dayStart(i)), attrs: { "data-day": dayOf(dayStart(i)) } }))} />
            {amenity && <DaySlots key={`${amenity.id}-${day}`} amenity={amenity} day={day} />}
          </>
        )}
      </Loaded>
    </div>
  );
}

// ---------------------------------------------------------------- suggestions

export function SuggestionsPage() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/suggestions", { params: { path: { cid: cid.value }, query: { sort: "votes", limit: 20, cursor } } })), [cid.value]);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const a = useAction();
  const vote = (s: Schemas["Suggestion"]) =>
    a.run(async () => {
      const p = { params: { path: { cid: cid.value, id: s.id } } };
      let next: Schemas["Suggestion"];
      if (s.voted) {
        await ok(api.DELETE("/v1/communities/{cid}/suggestions/{id}/votes", p));
        next = { ...s, voted: false, vote_count: s.vote_count - 1 };
      } else next = await ok(api.POST("/v1/communities/{cid}/suggestions/{id}/votes", p));
      list.replace(next);
    });
  return (
    <div class="page">
      <Back />
      <h1>{t("suggestions.title")}</h1>
      <ErrorNote error={list.error || a.error} />
      <ListOf items={list.items} class="plain cards" lines={4} empty={t("suggestions.none")}>
        {(s) => (
          <li class="card suggestion" data-suggestion={s.id}>
            <Button class={s.voted ? "vote primary" : "vote"} aria-pressed={s.voted ? "true" : "false"} busy={a.busy} onClick={() => vote(s)} aria-label={`${s.voted ? t("suggestions.unvote") : t("suggestions.vote")}: ${s.title}`}>
              ▲ {s.vote_count}
            </Button>
            <div>
              <h3>{s.title}</h3>
              <p>{s.body}</p>
            </div>
          </li>
        )}
      </ListOf>
      <LoadMore list={list} />
      <Form class="card" onSubmit={() =>
        a.run(async () => {
          const s = await ok(api.POST("/v1/communities/{cid}/suggestions", { params: { path: { cid: cid.value } }, body: { title, body } }));
          setTitle("");
          setBody("");
          list.add(s, true);
        })
      }>
        <h2>{t("suggestions.new")}</h2>
        <Field label={t("announcements.title")} name="title" value={title} onValue={setTitle} required error={a.fields.title} />
        <TextArea label={t("suggestions.body")} name="body" value={body} onValue={setBody} required error={a.fields.body} />
        <Button type="submit" class="primary wide" busy={a.busy}>
          {t("suggestions.submit")}
        </Button>
      </Form>
    </div>
  );
}
