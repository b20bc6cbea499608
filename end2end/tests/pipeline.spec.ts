import { test, expect, type Browser, type Locator, type Page } from "@playwright/test";
import { expectAccessible, hydrated, signIn } from "./support";

// The seeded server (`server seed --projects 300 --seed 42`, scripts/test.sh). Its numbers are
// not known here: the page is compared with `GET /api/v1/pipeline` for the same view.
const PASSWORD = "seed-password-123";
const ADMIN = { email: "admin01@seed.example", password: PASSWORD };
const VIEWER = { email: "viewer0001@seed.example", password: PASSWORD };

type Spread = { stays: number; median_days: number | null; p90_days: number | null };
type Stage = {
  stage: string;
  entered: number;
  moved_on: number;
  moved_back: number;
  cancelled: number;
  retired: number;
  open: number;
  completed: Spread;
  open_so_far: Spread;
};
type Cohort = { quarter: string | null; entered_build: number; reached_deploy: number; share: number | null };
type Pipeline = {
  from: string;
  to: string;
  stages: Stage[];
  conversions: { from: string; to: string; entered: number; moved_on: number; share: number | null }[];
  production: {
    overall: Cohort;
    quarters: Cohort[];
    reference: { share: number; source: string; statement: string };
  };
};

const OUTCOMES = ["moved_on", "moved_back", "cancelled", "retired", "open"] as const;

/** How the page writes a number of days and a share. */
const days = (n: number | null) => (n === null ? "\u2014" : n === 1 ? "1 day" : `${n} days`);
const percent = (share: number | null) => (share === null ? "\u2014" : `${Math.round(share * 100)}%`);

/** A parameter of the page's address, decoded. */
const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);

/** An API token, created by the seeded admin on the tokens page. */
async function apiToken(browser: Browser): Promise<string> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, ADMIN);
  await page.goto("/admin/tokens");
  await hydrated(page);
  await page.getByLabel("Token name").fill(`Pipeline ${Date.now().toString(36)}`);
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("token-secret").innerText()).trim();
  await page.context().close();
  return secret;
}

/** Page object for the pipeline page. */
class PipelinePage {
  constructor(readonly page: Page) {}

  /** The view's range, as the filter form shows it. */
  async range(): Promise<{ from: string; to: string }> {
    return {
      from: await this.page.getByLabel("Began from").inputValue(),
      to: await this.page.getByLabel("to", { exact: true }).inputValue(),
    };
  }

  row(table: string, key: string, value: string): Locator {
    return this.page.locator(`[data-test="${table}"][data-${key}="${value}"]`);
  }

  async cell(row: Locator, name: string): Promise<string> {
    return (await row.getByTestId(name).innerText()).trim();
  }

  /** Every bar of a chart has a size on screen. */
  async drawn(chart: string): Promise<void> {
    const rects = this.page.getByTestId(chart).locator("rect");
    expect(await rects.count(), chart).toBeGreaterThan(0);
    for (const rect of await rects.all()) {
      const box = await rect.boundingBox();
      expect(box !== null && box.height > 0, `${chart} bar drawn`).toBeTruthy();
    }
  }
}

test("without JavaScript the pipeline draws its charts and reads the same numbers as the API", async ({
  browser,
  request,
}) => {
  const token = await apiToken(browser);
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await signIn(page, VIEWER, false);
  await page.goto("/pipeline");
  await expect(page.getByRole("heading", { name: "Pipeline", level: 1 })).toBeVisible();
  const pipeline = new PipelinePage(page);
  const { from, to } = await pipeline.range();
  expect(from).toMatch(/^\d{4}-\d{2}-\d{2}$/);

  const response = await request.get(`/api/v1/pipeline?from=${from}&to=${to}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(response.status()).toBe(200);
  const api: Pipeline = await response.json();
  expect([api.from, api.to]).toEqual([from, to]);
  expect(api.stages.reduce((n, s) => n + s.entered, 0), "the seeded history has stays").toBeGreaterThan(0);

  // The charts are images with a name, drawn on the server.
  for (const name of [
    "Stays begun in each stage, by how they ended",
    "Share of stays that moved on to the next stage",
    "Days in each stage: median and 90th percentile of completed stays",
  ]) {
    await expect(page.getByRole("img", { name })).toBeVisible();
  }
  await expect(page.getByRole("img", { name: /^Prototype to production/ })).toBeVisible();
  await pipeline.drawn("flow-chart");
  await pipeline.drawn("production-chart");
  // The industry's 53% is drawn across the prototype → production chart, its source named.
  await expect(page.getByTestId("reference-line")).toHaveCount(1);
  await expect(page.getByTestId("production-chart")).toContainText("Industry 53% (Gartner, 2020)");
  await expect(page.getByTestId("reference-source")).toContainText("only 53% of AI projects");
  await expect(page.getByTestId("reference-source")).toContainText("Source: Gartner, 2020");

  // Every number of every table is the API's.
  for (const stage of api.stages) {
    const flow = pipeline.row("flow-row", "stage", stage.stage);
    expect(await pipeline.cell(flow, "entered"), stage.stage).toBe(String(stage.entered));
    for (const outcome of OUTCOMES) {
      expect(await pipeline.cell(flow, outcome), `${stage.stage} ${outcome}`).toBe(String(stage[outcome]));
    }
    const time = pipeline.row("time-row", "stage", stage.stage);
    expect(await pipeline.cell(time, "completed")).toBe(String(stage.completed.stays));
    expect(await pipeline.cell(time, "median")).toBe(days(stage.completed.median_days));
    expect(await pipeline.cell(time, "p90")).toBe(days(stage.completed.p90_days));
    expect(await pipeline.cell(time, "open")).toBe(String(stage.open_so_far.stays));
    expect(await pipeline.cell(time, "open-median")).toBe(days(stage.open_so_far.median_days));
    expect(await pipeline.cell(time, "open-p90")).toBe(days(stage.open_so_far.p90_days));
  }
  for (const conversion of api.conversions) {
    const row = pipeline.row("conversion-row", "from", conversion.from);
    expect(await pipeline.cell(row, "entered")).toBe(String(conversion.entered));
    expect(await pipeline.cell(row, "moved_on")).toBe(String(conversion.moved_on));
    expect(await pipeline.cell(row, "share")).toBe(percent(conversion.share));
  }
  expect(api.production.quarters.length).toBeGreaterThanOrEqual(4);
  for (const cohort of api.production.quarters) {
    const row = pipeline.row("cohort-row", "quarter", cohort.quarter ?? "");
    expect(await pipeline.cell(row, "entered-build")).toBe(String(cohort.entered_build));
    expect(await pipeline.cell(row, "reached-deploy")).toBe(String(cohort.reached_deploy));
    expect(await pipeline.cell(row, "share")).toBe(percent(cohort.share));
  }
  const overall = page.getByTestId("production-overall");
  expect(await pipeline.cell(overall, "entered-build")).toBe(String(api.production.overall.entered_build));
  expect(await pipeline.cell(overall, "reached-deploy")).toBe(String(api.production.overall.reached_deploy));
  expect(await pipeline.cell(overall, "share")).toBe(percent(api.production.overall.share));
  expect(api.production.reference).toMatchObject({ share: 0.53, source: "Gartner, 2020" });
});

test("a number opens the projects behind it, with the view's filters kept", async ({ page }) => {
  await signIn(page, VIEWER);
  await page.goto("/pipeline");
  await hydrated(page);
  await expectAccessible(page);
  const pipeline = new PipelinePage(page);

  // A team narrows the view; the address carries it (and the range).
  await page.getByTestId("pipeline-filters").getByLabel("Team").selectOption({ index: 1 });
  const team = await page.getByTestId("pipeline-filters").getByLabel("Team").inputValue();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/pipeline\?team=/);
  expect(param(page, "team")).toBe(team);
  await expect(page.getByTestId("flow-table")).toBeVisible();

  // The stage that most stays entered: its "entered" number lists exactly those stays.
  const counts = await page.getByTestId("flow-row").getByTestId("entered").allInnerTexts();
  const stages = ["define", "design", "build", "deploy"];
  const busiest = stages[counts.map(Number).indexOf(Math.max(...counts.map(Number)))];
  const flow = pipeline.row("flow-row", "stage", busiest);
  const entered = Number(await pipeline.cell(flow, "entered"));
  expect(entered).toBeGreaterThan(0);
  await flow.getByTestId("entered").click();
  await expect(page).toHaveURL(new RegExp(`/pipeline/projects\\?stage=${busiest}&outcome=entered&team=`));
  await expect(page).toHaveURL(/from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}/);
  expect(param(page, "team")).toBe(team);
  await expect(page.getByTestId("list-total")).toHaveText(String(entered));
  await expect(page.getByTestId("list-row")).toHaveCount(Math.min(entered, 50));
  for (const text of await page.getByTestId("list-row").locator("td:nth-child(2)").allInnerTexts()) {
    expect(text.toLowerCase()).toBe(team.toLowerCase());
  }
  await expectAccessible(page);

  // A project's name opens it; the way back keeps the team.
  await page.getByTestId("back-to-pipeline").click();
  await expect(page).toHaveURL(/\/pipeline\?team=/);
  expect(param(page, "team")).toBe(team);
  await expect(page.getByTestId("flow-table")).toBeVisible();

  // Prototype → production: the overall cohort lists its projects, each once.
  const overall = page.getByTestId("production-overall");
  const reached = Number(await overall.getByTestId("reached-deploy").innerText());
  await overall.getByTestId("reached-deploy").click();
  await expect(page).toHaveURL(/\/pipeline\/projects\?cohort=all&outcome=reached_deploy/);
  await expect(page.getByTestId("list-total")).toHaveText(String(reached));
  if (reached > 0) {
    await page.getByTestId("list-row").first().getByRole("link").click();
    await expect(page).toHaveURL(/\/projects\/[0-9a-f-]{36}$/);
  }
});

test("on a phone the pipeline fits the screen; wide tables scroll in their own box", async ({ browser }) => {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await signIn(page, VIEWER);
  await page.goto("/pipeline");
  await hydrated(page);
  await expect(page.getByTestId("production-chart")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "no sideways scrolling at 390 px").toBeLessThanOrEqual(0);
  const chart = await page.getByTestId("production-chart").boundingBox();
  expect(chart && chart.width <= 390).toBeTruthy();
});
