import { useState } from "preact/hooks";
import { t } from "../lib/i18n";
import { signIn, type Role } from "../lib/session";
import { Button, ErrorNote, Field, useAction } from "./kit";
import { LanguagePicker } from "./LanguagePicker";

export function SignIn({ title, prefer, footer }: { title: string; prefer: Role["role"][]; footer?: preact.ComponentChildren }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const a = useAction();
  return (
    <form
      class="card signin"
      onSubmit={(e) => {
        e.preventDefault();
        a.run(() => signIn(email.trim(), password, prefer));
      }}
    >
      <div class="row between">
        <h1>{title}</h1>
        <LanguagePicker />
      </div>
      <Field label={t("auth.email")} name="email" type="email" autoComplete="username" required value={email} onValue={setEmail} error={a.fields.email} />
      <Field label={t("auth.password")} name="password" type="password" autoComplete="current-password" required value={password} onValue={setPassword} error={a.fields.password} />
      <ErrorNote error={a.error} shownFields={["email", "password"]} />
      <Button type="submit" class="primary" busy={a.busy}>
        {t("auth.signIn")}
      </Button>
      {footer}
    </form>
  );
}
