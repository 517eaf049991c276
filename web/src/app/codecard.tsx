// A code to show at a door or counter: large, as a QR code, and behind a "show code" toggle.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { Qr } from "../ui/kit";

type Block = { code: string; label: string; testid: string; size?: number; children?: ComponentChildren };

export function CodeBlock({ code, label, testid, size, children }: Block) {
  return (
    <section class="code-card">
      <p class="code" data-testid={testid}>
        {code}
      </p>
      <Qr text={code} size={size} label={label} />
      {children}
    </section>
  );
}

/** A link-style toggle labelled `show` that opens the code block under it. */
export function ShowCode({ show, initiallyOpen = false, ...block }: Block & { show: string; initiallyOpen?: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <>
      <button type="button" class="link" aria-expanded={open ? "true" : "false"} onClick={() => setOpen(!open)}>
        {show}
      </button>
      {open && <CodeBlock {...block} />}
    </>
  );
}
