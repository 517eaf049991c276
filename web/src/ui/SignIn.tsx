import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { t } from "../lib/i18n";
import { signIn, signOut, type Role } from "../lib/session";
import { ActionForm, Button, Field, useAction } from "./kit";
import { LanguagePicker } from "./LanguagePicker";

/** The heading of a screen before the sign-in is complete, with the language picker beside it. */
export function EntryHeading({ title }: { title: string }) {
  return (
    <div class="row between">
      <h1>{title}</h1>
      <LanguagePicker />
    </div>
  );
}

/** "No account? Sign up" under a sign-in form, and the other way round. */
export function OtherWay({ question, label, onClick }: { question: string; label: string; onClick: () => void }) {
  return (
    <p>
      {question}{" "}
      <button type="button" class="link" onClick={onClick}>
        {label}
      </button>
    </p>
  );
}

export function SignIn({ title, prefer, footer }: { title: string; prefer: Role["role"][]; footer?: ComponentChildren }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const a = useAction();
  return (
    <ActionForm class="card signin" action={a} submit={t("auth.signIn")} shownFields={["email", "password"]} footer={footer} onSubmit={() => signIn(email.trim(), password, prefer)}>
      <EntryHeading title={title} />
      <Field label={t("auth.email")} name="email" type="email" autoComplete="username" required value={email} onValue={setEmail} error={a.fields.email} />
      <Field label={t("auth.password")} name="password" type="password" autoComplete="current-password" required value={password} onValue={setPassword} error={a.fields.password} />
    </ActionForm>
  );
}

/** Signs out (`leave` may forget more than the session), then goes to `home`. */
export function SignOut({ class: cls, leave = signOut, home }: { class?: string; leave?: () => Promise<unknown>; home: string }) {
  const { route } = useLocation();
  return (
    <Button
      class={cls}
      onClick={async () => {
        await leave();
        route(home);
      }}
    >
      {t("common.signOut")}
    </Button>
  );
}
