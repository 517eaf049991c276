import { locale } from "../lib/format";
import { languages, setLanguage, t } from "../lib/i18n";

export function LanguagePicker() {
  return (
    <label class="lang">
      <span class="sr-only">{t("common.language")}</span>
      <select value={locale.value} onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value)}>
        {languages.map((l) => (
          <option value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
