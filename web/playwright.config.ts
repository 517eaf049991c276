import { defineConfig } from "@playwright/test";

// Started by scripts/browser-test.sh, which sets BASE_URL (the web server) and API_URL.
export default defineConfig({
  testDir: "tests",
  outputDir: "test-results/artifacts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:4173",
    launchOptions: { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] },
    screenshot: "only-on-failure",
    trace: "off",
    serviceWorkers: "allow",
  },
  projects: [
    { name: "i18n", testMatch: /i18n\.spec\.ts/ },
    { name: "portal", testMatch: /portal.*\.spec\.ts/, use: { viewport: { width: 1280, height: 800 } } },
    { name: "app", testMatch: /app.*\.spec\.ts/, use: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true } },
  ],
});
