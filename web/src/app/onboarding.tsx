// Sign up and residency application.
import { useEffect, useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { t } from "../lib/i18n";
import { loadMe, me, pickCommunity, signIn } from "../lib/session";
import { onNotification } from "../lib/ws";
import { ActionForm, Button, ErrorNote, Field, ListOf, Status, Time, useAction, useLoad } from "../ui/kit";
import { EntryHeading, OtherWay } from "../ui/SignIn";
import { leave } from "./state";

export function SignUp({ onSignIn }: { onSignIn: () => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const a = useAction();
  return (
    <ActionForm class="card signin" action={a} submit={t("auth.createAccount")} shownFields={["display_name", "email", "password"]} footer={<OtherWay question={t("auth.haveAccount")} label={t("auth.signIn")} onClick={onSignIn} />} onSubmit={async () => {
      await ok(api.POST("/v1/auth/register", { body: { email: email.trim(), password, display_name: name.trim() } }));
      await signIn(email.trim(), password, ["resident"]);
    }}>
      <EntryHeading title={t("auth.signUpTitle")} />
      <Field label={t("auth.name")} name="display_name" autoComplete="name" required value={name} onValue={setName} error={a.fields.display_name} />
      <Field label={t("auth.email")} name="email" type="email" autoComplete="username" required value={email} onValue={setEmail} error={a.fields.email} />
      <Field label={t("auth.password")} name="password" type="password" autoComplete="new-password" required minLength={8} value={password} onValue={setPassword} hint={t("auth.passwordHint")} error={a.fields.password} />
    </ActionForm>
  );
}

/** Apply to live in a unit; shows my applications and continues once one is approved. */
export function Apply() {
  const params = new URLSearchParams(location.search);
  const [community, setCommunity] = useState(params.get("community") ?? "");
  const [unit, setUnit] = useState(params.get("unit") ?? "");
  const a = useAction();
  const { data, error, reload } = useLoad(() => ok(api.GET("/v1/me/residency-applications", { params: { query: { limit: 20 } as never } })), []);
  const items = data?.items ?? [];
  const approved = items.find((x) => x.status === "approved");
  const proceed = () =>
    a.run(async () => {
      await loadMe();
      await pickCommunity(["resident"]);
    });
  useEffect(() => onNotification(() => reload()), []);
  useEffect(() => {
    if (approved && !(me.value?.roles ?? []).some((r) => r.role === "resident")) proceed();
  }, [approved?.id]);
  return (
    <main id="main" class="page">
      <EntryHeading title={t("apply.title")} />
      <p>{t("apply.intro", { name: me.value?.display_name ?? "" })}</p>
      <ActionForm class="card" action={a} submit={t("apply.submit")} shownFields={["unit_id"]} onSubmit={async () => {
        await ok(api.POST("/v1/communities/{cid}/residency-applications", { params: { path: { cid: Number(community) } }, body: { unit_id: Number(unit) } }));
        reload();
      }}>
        <Field label={t("apply.community")} name="community" type="number" min="1" inputMode="numeric" required value={community} onValue={setCommunity} hint={t("apply.communityHint")} />
        <Field label={t("apply.unit")} name="unit_id" type="number" min="1" inputMode="numeric" required value={unit} onValue={setUnit} error={a.fields.unit_id} hint={t("apply.unitHint")} />
      </ActionForm>
      <section aria-labelledby="my-apps">
        <div class="row between">
          <h2 id="my-apps">{t("apply.mine")}</h2>
          <Button onClick={reload}>{t("common.refresh")}</Button>
        </div>
        <ErrorNote error={error} />
        <ListOf items={data && items} class="plain list" lines={2} empty={t("apply.none")}>
          {(x) => (
            <li data-application={x.id}>
              {t("apply.item", { community: x.community_id, unit: x.unit_id })} · <Status value={x.status} /> · <Time at={x.created_at} opts={{ dateStyle: "medium" }} />
            </li>
          )}
        </ListOf>
        {approved && (
          <Button class="primary" busy={a.busy} onClick={proceed}>
            {t("apply.continue")}
          </Button>
        )}
      </section>
      <Button class="ghost" onClick={leave}>
        {t("common.signOut")}
      </Button>
    </main>
  );
}
