import { test, expect, type Page } from "@playwright/test";
import { expectAccessible, hydrated, signIn } from "./support";

// This server's database was filled by `server seed --projects 300 --seed 42` (scripts/test.sh).
const PASSWORD = "seed-password-123";
const ADMIN = { email: "admin01@seed.example", password: PASSWORD };
const VIEWER = { email: "viewer0001@seed.example", password: PASSWORD };

/** RFC 4180 records (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field), rows.push(row), (row = []), (field = "");
    } else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

async function tile(page: Page, name: string): Promise<number> {
  return Number(await page.getByTestId(`tile-${name}`).getByTestId("tile-count").innerText());
}

test("an admin creates an API token that is shown once, used by a client, then revoked", async ({ browser, request }) => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, ADMIN);
  await page.goto("/admin/tokens");
  await hydrated(page);
  const name = `Finance BI ${Date.now().toString(36)}`;
  await page.getByLabel("Token name").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("token-secret").innerText()).trim();
  expect(secret).toMatch(/^tg_[A-Za-z0-9_-]{43}$/);
  const row = page.getByTestId("token-row").filter({ hasText: name });
  await expect(row.getByTestId("last-used")).toHaveText("never");

  const api = await request.get("/api/v1/portfolio", { headers: { Authorization: `Bearer ${secret}` } });
  expect(api.status()).toBe(200);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("token-secret")).toHaveCount(0);
  await expect(row.getByTestId("last-used")).not.toHaveText("never");

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(row).toContainText("Revoked");
  const refused = await request.get("/api/v1/portfolio", { headers: { Authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).code).toBe("unauthenticated");
});

test("a viewer lands on the portfolio, its numbers match the data, a number opens its list, the CSV downloads", async ({
  browser,
}) => {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await signIn(page, VIEWER);
  await expect(page.getByRole("heading", { name: "Portfolio", level: 1 })).toBeVisible();
  await hydrated(page);

  // The CSV the page offers holds every project: count its rows per health and flag.
  const downloading = page.waitForEvent("download");
  await page.getByTestId("download-csv").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("tollgate-projects.csv");
  const [header, ...rows] = parseCsv(await (await import("node:fs/promises")).readFile(await download.path(), "utf8"));
  const column = (name: string) => header.indexOf(name);
  expect(rows.length).toBe(300);
  expect(await tile(page, "projects")).toBe(rows.length);
  for (const health of ["green", "amber", "red"]) {
    const expected = rows.filter((r) => r[column("health")] === health).length;
    await expect(page.getByTestId(`health-${health}`).getByTestId("health-count")).toHaveText(String(expected));
  }
  const flagged = (code: string) => rows.filter((r) => r[column("flags")].split(" ").includes(code)).length;
  for (const flag of ["ownerless", "stalled", "demo_overdue", "review_overdue", "gate_gap", "conditions_overdue", "goal_drift", "continue_loop"]) {
    expect(await tile(page, flag), flag).toBe(flagged(flag));
  }
  const stalled = flagged("stalled");
  expect(stalled).toBeGreaterThan(0);

  // The charts are there, named, and read the same numbers.
  await expect(page.getByRole("img", { name: "Projects by stage, split by health" })).toBeVisible();
  const deploy = rows.filter((r) => r[column("stage")] === "deploy").length;
  await expect(page.getByTestId("funnel-row").filter({ hasText: "Deploy" }).locator("td").first()).toHaveText(String(deploy));

  // A number opens the list of projects behind it.
  await page.getByTestId("tile-stalled").click();
  await expect(page).toHaveURL(/\/projects\?flag=stalled$/);
  await expect(page.getByTestId("result-count")).toContainText(`of ${stalled}`);
  const cells = page.getByTestId("health-cell");
  await expect(cells.first()).toBeVisible();
  for (const text of await page.getByTestId("project-row").allInnerTexts()) expect(text).toContain("Stalled");

  // Filters live in the URL and narrow every number.
  await page.goto("/portfolio");
  await hydrated(page);
  await page.getByTestId("portfolio-filters").getByLabel("Stage").selectOption("deploy");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/portfolio\?stage=deploy/);
  await expect(page.getByTestId("tile-projects").getByTestId("tile-count")).toHaveText(String(deploy));
});

test("the portfolio reads the same without JavaScript", async ({ browser }) => {
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await signIn(page, VIEWER, false);
  await page.goto("/portfolio?health=red");
  await expect(page.getByRole("img", { name: "Projects by health" })).toBeVisible();
  const red = await tile(page, "projects");
  await expect(page.getByTestId("health-red").getByTestId("health-count")).toHaveText(String(red));
  await expect(page.getByTestId("health-green").getByTestId("health-count")).toHaveText("0");
});

test("the charts are drawn however the portfolio is reached, and have no links a screen reader trips on", async ({
  page,
}) => {
  /** Every bar of both charts has a size on screen. */
  async function barsDrawn(): Promise<void> {
    for (const chart of ["funnel", "health-chart"]) {
      const rects = page.getByTestId(chart).locator("rect");
      expect(await rects.count(), chart).toBeGreaterThan(0);
      for (const rect of await rects.all()) {
        const box = await rect.boundingBox();
        expect(box && box.width > 0 && box.height > 0, `${chart} bar drawn`).toBeTruthy();
      }
    }
  }
  // Reached by signing in (a viewer lands on the portfolio)...
  await signIn(page, VIEWER);
  await expect(page).toHaveURL(/\/$|\/portfolio/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Portfolio" }).click();
  await hydrated(page);
  await expect(page.getByTestId("funnel")).toBeVisible();
  await barsDrawn();
  // ...by the nav link from another page...
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).click();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Portfolio" }).click();
  await expect(page.getByTestId("funnel")).toBeVisible();
  await barsDrawn();
  // ...and after a fresh load.
  await page.reload();
  await hydrated(page);
  await barsDrawn();
  const links = await page.locator("svg a").count();
  expect(links, "no links inside the role=img charts").toBe(0);
  await expectAccessible(page);
  // Every number still opens its list: a stage's red projects.
  const row = page.getByTestId("funnel-row").filter({ hasText: "Build" });
  await row.getByRole("link", { name: /^\d+$/ }).nth(3).click();
  await expect(page).toHaveURL(/stage=build/);
  await expect(page).toHaveURL(/health=red/);
});
