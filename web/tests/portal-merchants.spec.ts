import { expect, test } from "@playwright/test";
import { Api, CID, axe, call, demo, shot, signIn } from "./helpers";

// Shops from outside the community: the manager opens the community to them, reads an
// application's business details, approves one, rejects another with a reason, suspends and
// reinstates; the new owner adds a staff account, who sees only orders and redemptions.
test.describe.configure({ mode: "serial" });

async function outsider(name: string): Promise<{ email: string; api: Api }> {
  const email = `${name.toLowerCase()}-${Date.now() % 1_000_000}@outside.example`;
  await call("POST", "/v1/auth/register", { email, password: "outside-password", display_name: name });
  return { email, api: await Api.login(email, "outside-password") };
}

test("manager: outside merchants apply, details, approve, reject with a reason, suspend, reinstate; owner adds staff", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const tag = Date.now() % 100000;
  const baker = await outsider("Bram");
  const florist = await outsider("Flora");

  await signIn(page, "/portal/", demo("manager"));
  await page.getByRole("link", { name: "Merchants" }).click();
  const open = page.getByLabel("Shops from outside the community may apply");
  if (!(await open.isChecked())) await open.check();
  await expect(open).toBeChecked();

  const application = (name: string) => ({
    name,
    category: "bakery",
    description: "Sourdough baked at dawn, two streets away.",
    contact: { email: "shop@outside.example", phone: "+44 20 7946 0000" },
    opening_hours: { mon: [{ open: "07:00", close: "13:00" }], sat: [{ open: "08:00", close: "12:00" }] },
    fulfilment: ["pickup", "delivery"],
  });
  const bakery = await baker.api.post(`/v1/communities/${CID}/merchants`, application(`Bram's Bakery ${tag}`));
  const flowers = await florist.api.post(`/v1/communities/${CID}/merchants`, { ...application(`Flora's Flowers ${tag}`), category: "florist" });

  await page.reload();
  const row = (id: number) => page.locator(`[data-merchant="${id}"]`);
  await expect(row(bakery.id)).toBeVisible();
  await row(bakery.id).getByRole("button", { name: `Details Bram's Bakery ${tag}` }).click();
  await expect(page.getByText("Mon 07:00–13:00 · Sat 08:00–12:00")).toBeVisible();
  await expect(page.getByText("Pickup, Delivery")).toBeVisible();
  await shot(page, "manager-merchant-application");
  await axe(page);
  await row(bakery.id).getByRole("button", { name: `Approve Bram's Bakery ${tag}` }).click();
  await expect(row(bakery.id).getByText("Approved")).toBeVisible();

  // Rejecting needs a reason, which the applicant then reads.
  await row(flowers.id).getByRole("button", { name: `Details Flora's Flowers ${tag}` }).click();
  const reject = page.getByRole("button", { name: "Reject", exact: true });
  await expect(reject).toBeDisabled();
  await page.getByLabel("Reason (the merchant sees it)").fill("We already have a florist in the square.");
  await reject.click();
  await expect(row(flowers.id).getByText("Rejected")).toBeVisible();
  const mine = await florist.api.get("/v1/me/merchant-applications");
  expect(mine.items.find((m: any) => m.id === flowers.id).decision_reason).toBe("We already have a florist in the square.");

  // Suspend the bakery (gone from residents' listings), then reinstate it.
  await page.getByLabel("Status").selectOption("approved");
  await row(bakery.id).getByRole("button", { name: `Details Bram's Bakery ${tag}` }).click();
  await page.getByLabel("Reason (the merchant sees it)").fill("Hygiene inspection pending.");
  await page.getByRole("button", { name: "Suspend", exact: true }).click();
  await expect(row(bakery.id).getByText("Suspended")).toBeVisible();
  const alice = await Api.login(demo("alice"));
  const listed = async () => (await alice.get(`/v1/communities/${CID}/merchants?limit=100`)).items.some((m: any) => m.id === bakery.id);
  expect(await listed()).toBe(false);
  await row(bakery.id).getByRole("button", { name: `Reinstate Bram's Bakery ${tag}` }).click();
  await expect(row(bakery.id).getByText("Approved")).toBeVisible();
  expect(await listed()).toBe(true);

  // The new owner adds a staff account in the console.
  const helper = await outsider("Hal");
  const ownerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const owner = await ownerContext.newPage();
  await signIn(owner, "/portal/", baker.email, "outside-password");
  await owner.getByRole("link", { name: "Shop staff" }).click();
  await owner.getByLabel("Email").fill(helper.email);
  await owner.getByRole("button", { name: "Add", exact: true }).click();
  await expect(owner.locator("[data-account]", { hasText: helper.email }).getByText("Staff")).toBeVisible();
  await shot(owner, "merchant-shop-staff");
  await axe(owner);
  await ownerContext.close();

  // Staff see orders and redemptions, nothing else of the console.
  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const staff = await staffContext.newPage();
  await signIn(staff, "/portal/", helper.email, "outside-password");
  const nav = staff.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Redeem a code" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Catalogue & stock" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "API keys" })).toHaveCount(0);
  await shot(staff, "merchant-staff-console");
  await staffContext.close();
});
