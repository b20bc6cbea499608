import { test, expect, type Browser, type Page } from "@playwright/test";
import { expectAccessible, hydrated, signIn } from "./support";

// The seeded server (`server seed --projects 300 --seed 42`, scripts/test.sh): its histories
// span two years, so a past day has numbers of its own.
const PASSWORD = "seed-password-123";
const ADMIN = { email: "admin01@seed.example", password: PASSWORD };
const VIEWER = { email: "viewer0001@seed.example", password: PASSWORD };

/** YYYY-MM-DD of the day `days` before today (UTC, the server's clock). */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

async function tile(page: Page, name: string): Promise<number> {
  return Number(await page.getByTestId(`tile-${name}`).getByTestId("tile-count").innerText());
}

/** An API token, created by the seeded admin on the tokens page. */
async function apiToken(browser: Browser): Promise<string> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, ADMIN);
  await page.goto("/admin/tokens");
  await hydrated(page);
  await page.getByLabel("Token name").fill(`History ${Date.now().toString(36)}`);
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("token-secret").innerText()).trim();
  await page.context().close();
  return secret;
}

test("a viewer picks a past day, sees that day's numbers, and follows one to that day's list", async ({
  browser,
  request,
}) => {
  const token = await apiToken(browser);
  const day = daysAgo(180);
  const page = await (await browser.newContext()).newPage();
  await signIn(page, VIEWER);
  await page.goto("/portfolio");
  await hydrated(page);
  const todayProjects = await tile(page, "projects");

  await page.getByTestId("portfolio-filters").getByLabel("As of").fill(day);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`as_of=${day}`));
  await expect(page.getByTestId("as-of-banner")).toContainText("As of");
  await expectAccessible(page);

  // The page's numbers are the API's for that day, and not today's.
  const api = await request.get(`/api/v1/portfolio?as_of=${day}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(api.status()).toBe(200);
  const then = await api.json();
  expect(then.as_of).toBe(day);
  expect(await tile(page, "projects")).toBe(then.projects);
  expect(then.projects).toBeLessThan(todayProjects);
  for (const flag of ["ownerless", "stalled", "demo_overdue", "review_overdue", "gate_gap", "conditions_overdue", "goal_drift", "continue_loop"]) {
    expect(await tile(page, flag), flag).toBe(then.flags[flag]);
  }
  for (const health of ["green", "amber", "red"]) {
    await expect(page.getByTestId(`health-${health}`).getByTestId("health-count")).toHaveText(String(then.health[health]));
  }

  // A number opens that day's list, which says so and counts the same.
  const stalled = then.flags.stalled;
  expect(stalled).toBeGreaterThan(0);
  await page.getByTestId("tile-stalled").click();
  await expect(page).toHaveURL(new RegExp(`/projects\\?flag=stalled&as_of=${day}$`));
  await expect(page.getByTestId("as-of-banner")).toBeVisible();
  await expect(page.getByTestId("result-count")).toContainText(`of ${stalled}`);
  await expectAccessible(page);

  // Back to today.
  await page.getByTestId("back-to-today").click();
  await expect(page).toHaveURL(/\/projects\?flag=stalled$/);
  await expect(page.getByTestId("as-of-banner")).toHaveCount(0);
});

test("a day in the future or before the history is refused with the reason", async ({ page }) => {
  await signIn(page, VIEWER);
  await page.goto("/portfolio?as_of=2999-01-01");
  await expect(page.getByRole("alert")).toContainText("has not happened yet");
  await page.goto("/portfolio?as_of=1999-01-01");
  await expect(page.getByRole("alert")).toContainText("The history starts on");
  await page.getByRole("link", { name: "See today\u2019s portfolio" }).click();
  await expect(page.getByTestId("tiles")).toBeVisible();
});

test("the trend charts render without JavaScript and read the same numbers as the API", async ({ browser, request }) => {
  const token = await apiToken(browser);
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await signIn(page, VIEWER, false);
  await page.goto("/portfolio?stage=build");
  await expect(page.getByRole("img", { name: "Health mix each week" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Projects with each flag, each week" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Projects entering and leaving stages each month" })).toBeVisible();
  const rows = page.getByTestId("trend-row");
  expect(await rows.count()).toBe(52);

  const api = await request.get("/api/v1/portfolio/trend?stage=build&interval=week", {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(api.status()).toBe(200);
  const trend = await api.json();
  expect(trend.points.length).toBe(52);
  // Newest first on the page; oldest first in the API. Compare a few weeks across the year.
  for (const weeksBack of [0, 13, 26, 51]) {
    const point = trend.points[trend.points.length - 1 - weeksBack];
    const cells = await rows.nth(weeksBack).locator("td").allTextContents();
    const [projects, green, amber, red, ownerless, stalled] = cells.map(Number);
    expect({ projects, green, amber, red, ownerless, stalled }, `week ${weeksBack}`).toEqual({
      projects: point.projects,
      green: point.health.green,
      amber: point.health.amber,
      red: point.health.red,
      ownerless: point.flags.ownerless,
      stalled: point.flags.stalled,
    });
  }
  // The history moves: the year does not read one number throughout.
  const projects = new Set(trend.points.map((p: { projects: number }) => p.projects));
  expect(projects.size).toBeGreaterThan(1);
  // Each week opens the portfolio as it stood that day.
  await page.getByText("The numbers, week by week").click();
  await rows.nth(26).getByRole("link").click();
  await expect(page).toHaveURL(/as_of=\d{4}-\d{2}-\d{2}/);
  await expect(page.getByTestId("as-of-banner")).toBeVisible();
  expect(await tile(page, "projects")).toBe(trend.points[trend.points.length - 27].projects);
});
