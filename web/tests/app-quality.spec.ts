import { expect, test, type Page } from "@playwright/test";
import { demo, shot, signIn } from "./helpers";

// The resident app's quality bar: the larger phone size (414×896) on every screen, and a first
// load on a slow 3G profile (shell and skeletons before data, under the JavaScript budget).
test.describe.configure({ mode: "serial" });

const screens: [string, string][] = [
  ["home", "/app/"],
  ["shop", "/app/shop"],
  ["orders", "/app/orders"],
  ["property", "/app/property"],
  ["repairs", "/app/property/repairs"],
  ["visitors", "/app/property/visitors"],
  ["amenities", "/app/property/amenities"],
  ["suggestions", "/app/property/suggestions"],
  ["parcels", "/app/parcels"],
  ["codes", "/app/codes"],
  ["group-buys", "/app/group-buys"],
  ["clubs", "/app/clubs"],
  ["me", "/app/me"],
];

/** Elements wider than the window or sticking out of it sideways (the page would scroll). */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > w + 1) out.push(`page scrollWidth ${document.documentElement.scrollWidth} > ${w}`);
    for (const el of Array.from(document.querySelectorAll("main *, header *, nav *"))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Inside a horizontally scrolling strip (e.g. chips) is fine.
      let p: Element | null = el.parentElement;
      let scrolls = false;
      while (p) {
        const ox = getComputedStyle(p).overflowX;
        if (ox === "auto" || ox === "scroll" || ox === "hidden") {
          scrolls = true;
          break;
        }
        p = p.parentElement;
      }
      if (!scrolls && (r.right > w + 1 || r.left < -1)) out.push(`${el.tagName.toLowerCase()}.${el.className} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
    return out.slice(0, 5);
  });
}

test.describe("414×896", () => {
  test.use({ viewport: { width: 414, height: 896 }, isMobile: true, hasTouch: true });

  test("every screen fits the width and is reachable by tapping", async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, "/app/", demo("alice"));
    await expect(page.getByRole("heading", { name: "Hello, Alice" })).toBeVisible();
    for (const [name, path] of screens) {
      await page.goto(path);
      await expect(page.locator("main")).toBeVisible();
      // Data arrived: no skeleton left on the screen.
      await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
      expect(await overflow(page), `${name} overflows at 414 px`).toEqual([]);
      await shot(page, `app-414-${name}`);
    }
    // The bottom navigation stays within thumb reach: at the bottom of the screen, big targets.
    const nav = page.getByRole("navigation").last();
    const box = await nav.boundingBox();
    expect(box && box.y + box.height).toBeGreaterThan(896 - 100);
    for (const link of await nav.getByRole("link").all()) {
      const b = await link.boundingBox();
      expect(b && b.height).toBeGreaterThanOrEqual(40);
    }
  });
});

test.describe("slow 3G", () => {
  test("first load: shell and skeleton before data, JavaScript under 150 KB compressed, then offline", async ({ page, context }) => {
    test.setTimeout(180_000);
    // Chromium DevTools' "Slow 3G": 2 s latency, 400 kbit/s each way (after its 0.8 factor).
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 2000, downloadThroughput: 50_000, uploadThroughput: 50_000 });
    const js = new Map<string, number>();
    cdp.on("Network.responseReceived", (e) => {
      if (e.type === "Script") js.set(e.requestId, 0);
    });
    cdp.on("Network.loadingFinished", (e) => {
      if (js.has(e.requestId)) js.set(e.requestId, e.encodedDataLength);
    });

    const started = Date.now();
    await page.goto("/app/", { waitUntil: "commit" });
    await expect(page.getByLabel(/^(Email|邮箱)$/)).toBeVisible({ timeout: 60_000 });
    const shellMs = Date.now() - started;
    await page.waitForLoadState("load");
    const jsBytes = [...js.values()].reduce((a, b) => a + b, 0);
    console.log(`slow 3G: sign-in screen after ${shellMs} ms; first-load JavaScript ${(jsBytes / 1024).toFixed(1)} KB over the wire`);
    expect(jsBytes).toBeGreaterThan(0);
    expect(jsBytes).toBeLessThan(150 * 1024);
    expect(shellMs).toBeLessThan(20_000);

    // Signed in on the slow link, the home screen shows its skeleton before its data.
    await page.getByLabel(/^(Email|邮箱)$/).fill(demo("alice"));
    await page.getByLabel(/^(Password|密码)$/).fill("courtyard-demo");
    // A resident must never see the residency application flash up while her community loads.
    await page.evaluate(() => {
      const w = window as unknown as { sawApply: boolean };
      w.sawApply = false;
      new MutationObserver(() => {
        if ([...document.querySelectorAll("h1")].some((h) => /Apply for residency/.test(h.textContent ?? ""))) w.sawApply = true;
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await page.getByRole("button", { name: /^(Sign in|登录)$/ }).click();
    await expect(page.locator("main .skeleton").first()).toBeVisible({ timeout: 30_000 });
    await shot(page, "app-slow3g-skeleton");
    await expect(page.getByRole("heading", { name: "Hello, Alice" })).toBeVisible({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { sawApply: boolean }).sawApply)).toBe(false);

    // Offline, the shell still comes up from the service worker with a clear offline state.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.reload();
    await expect(page.getByRole("heading", { name: "Hello, Alice" })).toBeVisible();
    // (Through the same DevTools session: its network conditions override Playwright's.)
    await cdp.send("Network.emulateNetworkConditions", { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.reload();
    await expect(page.getByText("You are offline")).toBeVisible();
    await shot(page, "app-slow3g-offline");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  });
});
