import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { expect, test } from "@playwright/test";
import { Api, CID, axe, demo, shot, signIn } from "./helpers";

// A merchant wires her shop system to Courtyard from the console: registers a receiver,
// copies the secret shown once, sends a test event, sees a real order arrive signed, reads the
// delivery log and replays a delivery. The receiver here checks every signature itself
// (Standard Webhooks: HMAC-SHA256 over "id.timestamp.body", key = base64 after "whsec_").

type Received = { id: string; type: string; valid: boolean };

function verify(secret: string, req: IncomingMessage, body: string): boolean {
  const id = String(req.headers["webhook-id"] ?? "");
  const ts = String(req.headers["webhook-timestamp"] ?? "");
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const want = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest();
  return String(req.headers["webhook-signature"] ?? "")
    .split(" ")
    .some((s) => {
      const [v, sig] = s.split(",");
      const got = Buffer.from(sig ?? "", "base64");
      return v === "v1" && got.length === want.length && timingSafeEqual(got, want);
    });
}

test("merchant: register a webhook, secret once, test event, a signed order event, delivery log, replay", async ({ page }) => {
  test.setTimeout(120_000);
  let secret = "";
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const type = (() => {
        try {
          return JSON.parse(body).type as string;
        } catch {
          return "?";
        }
      })();
      received.push({ id: String(req.headers["webhook-id"]), type, valid: verify(secret, req, body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/courtyard`;
  try {
    await signIn(page, "/portal/", demo("carol"));
    await page.getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();
    await page.getByLabel("URL").fill(url);
    await page.getByLabel("Description").fill("Till system");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const shown = page.getByTestId("webhook-secret");
    await expect(shown).toHaveText(/^whsec_/);
    secret = (await shown.textContent()) ?? "";
    await page.getByRole("button", { name: "I have stored it" }).click();
    await expect(shown).toHaveCount(0);
    const row = page.locator("[data-endpoint]", { hasText: url });
    await expect(row.getByText("Active")).toBeVisible();

    // The test event arrives, signed with the secret the console showed.
    await row.getByRole("button", { name: `Send test ${url}` }).click();
    await expect(page.getByText(`A webhook.test event is on its way to ${url}.`)).toBeVisible();
    await expect.poll(() => received.filter((r) => r.type === "webhook.test").length, { timeout: 30_000 }).toBeGreaterThan(0);

    // A resident's order reaches the receiver as order.placed.
    const bob = await Api.login(demo("bob"));
    const carol = await Api.login(demo("carol"));
    const mid = (await carol.get("/v1/me")).roles.find((r: any) => r.role === "merchant").merchant_id;
    const products = (await bob.get(`/v1/communities/${CID}/merchants/${mid}/products?limit=50`)).items;
    await bob.post(`/v1/communities/${CID}/orders`, { merchant_id: mid, items: [{ product_id: products[0].id, quantity: 1 }], fulfilment: "pickup" }, true);
    await expect.poll(() => received.filter((r) => r.type === "order.placed").length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(received.every((r) => r.valid)).toBe(true);

    // The delivery log: each delivery with its attempts; a replay keeps its webhook-id.
    await row.getByRole("button", { name: "Deliveries" }).click();
    const log = page.locator("section.deliveries");
    const placed = log.locator('[data-event="order.placed"]').first();
    await expect(placed.getByText("Delivered")).toBeVisible({ timeout: 15_000 });
    const webhookId = (await placed.locator("code").textContent()) ?? "";
    await placed.getByRole("button", { name: "Attempts" }).click();
    await expect(log.getByRole("cell", { name: "204", exact: true })).toBeVisible();
    await shot(page, "merchant-webhooks");
    await axe(page);
    const before = received.filter((r) => r.id === webhookId).length;
    await placed.getByRole("button", { name: `Replay ${webhookId}` }).click();
    await expect.poll(() => received.filter((r) => r.id === webhookId).length, { timeout: 30_000 }).toBeGreaterThan(before);
    expect(received.every((r) => r.valid)).toBe(true);

    // Disabled, the endpoint says so.
    await row.getByRole("button", { name: `Disable ${url}` }).click();
    await expect(row.getByText("Disabled")).toBeVisible();
  } finally {
    server.close();
  }
});
