import { expect, test } from "@playwright/test";
import { Api, CID, axe, demo, shot, signIn, unitId } from "./helpers";

test.describe.configure({ mode: "serial" });
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

test("resident: repair ticket rated on close, amenity booking, visitor pass QR, suggestion vote, parcel, group buy, post, codes offline", async ({ page, context }) => {
  test.setTimeout(300_000);
  const manager = await Api.login(demo("manager"));
  const carol = await Api.login(demo("carol"));
  const bob = await Api.login(demo("bob"));
  const tag = Date.now() % 100000;
  const gym = `Gym ${tag}`;
  await manager.post(`/v1/communities/${CID}/amenities`, { name: gym, capacity: 1 });
  const parcel = await manager.post(`/v1/communities/${CID}/parcels`, { unit_id: await unitId(manager, "101"), carrier: "Parcelforce", tracking_no: `PF${tag}` });
  const idea = await bob.post(`/v1/communities/${CID}/suggestions`, { title: `Herb garden ${tag}`, body: "On the roof terrace." });
  const mid = (await carol.get("/v1/me")).roles.find((r: any) => r.role === "merchant").merchant_id;
  const product = (await carol.get(`/v1/communities/${CID}/merchants/${mid}/products?limit=50`)).items[0];
  const gb = await carol.post(`/v1/communities/${CID}/group-buys`, { product_id: product.id, unit_price_cents: 150, min_participants: 3, closes_at: iso(Date.now() + 2 * 86400_000) });

  await signIn(page, "/app/", demo("alice"));
  await expect(page.getByRole("heading", { name: "Hello, Alice" })).toBeVisible();

  // Repairs: report, the manager fixes it (API), rate and close.
  await page.getByRole("link", { name: "Property" }).click();
  await expect(page.getByRole("navigation", { name: "Services" })).toBeVisible();
  await shot(page, "app-property");
  await page.getByRole("link", { name: "Repairs" }).click();
  await page.getByLabel("What needs fixing").selectOption("electrical");
  await page.getByLabel("Describe the problem").fill(`Hall light flickers ${tag}`);
  await page.getByRole("button", { name: "Send report" }).click();
  const card = page.locator("[data-ticket]", { hasText: `Hall light flickers ${tag}` });
  await expect(card.getByText("Open")).toBeVisible();
  const tid = Number(await card.getAttribute("data-ticket"));
  const managerId = (await manager.get("/v1/me")).id;
  await manager.post(`/v1/communities/${CID}/tickets/${tid}/assign`, { staff_id: managerId });
  await manager.post(`/v1/communities/${CID}/tickets/${tid}/start`);
  await manager.post(`/v1/communities/${CID}/tickets/${tid}/resolve`, { note: "New starter fitted" });
  await page.getByRole("link", { name: "‹ Property" }).click();
  await page.getByRole("link", { name: "Repairs" }).click();
  await expect(card.getByText("New starter fitted")).toBeVisible();
  await shot(page, "app-repairs");
  await axe(page);
  await card.locator(".stars label", { hasText: "4 of 5 stars" }).click();
  await expect(card.getByRole("radio", { name: "4 of 5 stars" })).toBeChecked();
  await card.getByRole("button", { name: "Rate and close" }).click();
  await expect(card.getByText("Closed")).toBeVisible();
  await expect(card.getByText("You rated it 4 of 5.")).toBeVisible();
  expect((await manager.get(`/v1/communities/${CID}/tickets/${tid}`)).rating).toBe(4);

  // Amenity booking: tomorrow 10:00, capacity 1, so the slot then shows as booked by me.
  await page.getByRole("link", { name: "‹ Property" }).click();
  await page.getByRole("link", { name: "Book an amenity" }).click();
  await page.getByRole("button", { name: gym }).click();
  await page.getByRole("group", { name: "Day" }).getByRole("button").nth(1).click();
  const slot = page.locator('.slots li[data-hour="10"]');
  await slot.getByRole("button", { name: /^Book/ }).click();
  await expect(page.getByRole("status").filter({ hasText: `Booked ${gym}` })).toBeVisible();
  await expect(slot.getByText("Booked by you")).toBeVisible();
  await shot(page, "app-amenity-booking");
  await axe(page);
  const aid = (await manager.get(`/v1/communities/${CID}/amenities?limit=200`)).items.find((a: any) => a.name === gym).id;
  const bookings = (await manager.get(`/v1/communities/${CID}/amenities/${aid}/bookings?from=${iso(Date.now())}&to=${iso(Date.now() + 3 * 86400_000)}`)).items;
  expect(bookings.filter((b: any) => b.status === "active")).toHaveLength(1);

  // Visitor pass as a QR code.
  await page.getByRole("link", { name: "‹ Property" }).click();
  await page.getByRole("link", { name: "Visitor passes" }).click();
  await page.getByLabel("Visitor's name").fill(`Grandma ${tag}`);
  await page.getByRole("button", { name: "Issue pass" }).click();
  const pass = page.locator("[data-pass]", { hasText: `Grandma ${tag}` });
  await pass.getByRole("button", { name: "Show code and QR" }).click();
  await expect(pass.getByTestId("visitor-code")).toHaveText(/^[A-Z0-9-]{6,}$/);
  await expect(pass.locator("canvas.qr")).toBeVisible();
  const visitorCode = (await pass.getByTestId("visitor-code").textContent())!.trim();
  await shot(page, "app-visitor-pass");
  await axe(page);

  // Suggestions: vote for Bob's idea.
  await page.getByRole("link", { name: "‹ Property" }).click();
  await page.getByRole("link", { name: "Suggestions" }).click();
  const vote = page.getByRole("button", { name: `Vote: Herb garden ${tag}` });
  await vote.click();
  await expect(page.getByRole("button", { name: `Withdraw vote: Herb garden ${tag}` })).toHaveAttribute("aria-pressed", "true");
  expect((await bob.get(`/v1/communities/${CID}/suggestions/${idea.id}`)).vote_count).toBe(1);

  // Parcels: the pick-up code.
  await page.getByRole("link", { name: "‹ Property" }).click();
  await page.getByRole("link", { name: "Parcels & deliveries" }).click();
  const p = page.locator(`[data-parcel="${parcel.id}"]`);
  await expect(p.getByTestId("parcel-code")).toHaveText(parcel.pickup_code ?? /\w+/);
  const parcelCode = (await p.getByTestId("parcel-code").textContent())!.trim();
  await shot(page, "app-parcels");

  // Group buy: join and see the progress.
  await page.getByRole("link", { name: "Shop" }).click();
  await page.getByRole("link", { name: "Group buys" }).click();
  const g = page.locator(`[data-group-buy="${gb.id}"]`);
  await expect(g.getByText("0 of 3 buyers").first()).toBeVisible();
  await g.getByRole("button", { name: /^Join for/ }).click();
  await expect(g.getByText(/You joined/)).toBeVisible();
  await expect(g.getByText("1 of 3 buyers").first()).toBeVisible();
  await shot(page, "app-group-buys");
  await axe(page);

  // Clubs: a post, liked and commented on.
  await page.getByRole("link", { name: "Clubs" }).click();
  await page.getByLabel("Write a post").fill(`Lost cat ${tag}, ginger, answers to Biscuit`);
  await page.getByRole("button", { name: "Post", exact: true }).click();
  const post = page.locator("[data-post]", { hasText: `Lost cat ${tag}` });
  await post.getByRole("button", { name: /0 likes/ }).click();
  await expect(post.getByRole("button", { name: /1 likes/ })).toHaveAttribute("aria-pressed", "true");
  await post.getByRole("button", { name: /0 comments/ }).click();
  await post.getByLabel("Your comment").fill("Seen her by the bins!");
  await post.getByRole("button", { name: "Send", exact: true }).click();
  await expect(post.getByText("Seen her by the bins!")).toBeVisible();
  await expect(post.getByRole("button", { name: /1 comments/ })).toBeVisible();
  await shot(page, "app-posts");
  await axe(page);

  // Saved codes stay viewable offline.
  await page.getByRole("link", { name: "Me", exact: true }).click();
  await page.getByRole("link", { name: "My codes" }).click();
  await expect(page.getByRole("heading", { name: "Visitor passes" })).toBeVisible();
  await context.setOffline(true);
  await page.locator('[data-code-kind="visitor"]', { hasText: `Grandma ${tag}` }).getByRole("button").click();
  await expect(page.getByTestId("saved-code")).toHaveText(visitorCode);
  await expect(page.locator('[data-code-kind="parcel"]')).toContainText(parcelCode);
  await shot(page, "app-codes-offline");
  await context.setOffline(false);
});
