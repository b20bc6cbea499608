import { defineConfig } from "@playwright/test";

// The server is started by scripts/test.sh (the release build) with a fresh
// embedded database, so the first-run journey really is the first run.
const baseURL = process.env.TOLLGATE_BASE_URL ?? "http://127.0.0.1:3210";

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  // The journeys share one database whose first admin the setup project creates.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // A journey is a person's whole task (a dozen pages and forms, two or three people): 30 s
  // was too tight on a loaded 2-core host (two governance journeys took 31–32 s in a cold run).
  // Each step still fails within the expect timeout below when something really hangs.
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    // Our pages mark test hooks with data-test="…".
    testIdAttribute: "data-test",
    browserName: "chromium",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "first-run", testMatch: /first-run\.spec\.ts/ },
    {
      name: "journeys",
      testIgnore: /(first-run|portfolio|history|pipeline)\.spec\.ts/,
      dependencies: ["first-run"],
    },
    // The portfolio, history and pipeline journeys read a second server whose database
    // `server seed` filled.
    {
      name: "seeded",
      testMatch: /(portfolio|history|pipeline)\.spec\.ts/,
      use: { baseURL: process.env.TOLLGATE_SEEDED_URL ?? "http://127.0.0.1:3212" },
    },
  ],
});
