import { test, expect, type Page } from "@playwright/test";
import { ADMIN, expectAccessible, hydrated, sessionAs } from "./support";

/** A file with three good rows and two bad ones, its names unique to this run. */
function inventory(tag: string): string {
  return [
    "Name;Team;Risk tier;Stage;Owner email;Problem statement;Notes",
    `Fraud scoring ${tag};Risk;High;define;${ADMIN.email};;first`,
    `Claims triage ${tag};Claims;low;Build;${ADMIN.email};Claims wait nine days;`,
    `Invoice matching ${tag};Finance;medium;;;;`,
    `Bad stage ${tag};Ops;low;prod;;;`,
    `Nobody's ${tag};Ops;low;define;nobody.${tag}@example.com;;`,
  ].join("\r\n");
}

async function upload(page: Page, tag: string, js: boolean): Promise<void> {
  await page.goto("/projects/import");
  if (js) await hydrated(page);
  await expect(page.getByRole("heading", { name: "Import projects", level: 1 })).toBeVisible();
  await page.getByLabel("File").setInputFiles({
    name: `inventory-${tag}.csv`,
    mimeType: "text/csv",
    buffer: Buffer.from(inventory(tag)),
  });
  await page.getByRole("button", { name: "Preview the import" }).click();
  await expect(page.getByRole("heading", { name: `Import: inventory-${tag}.csv`, level: 1 })).toBeVisible();
}

async function readPreviewCounts(page: Page): Promise<void> {
  await expect(page.getByTestId("count-create")).toHaveText("3");
  await expect(page.getByTestId("count-refused")).toHaveText("2");
}

async function readPreview(page: Page, tag: string): Promise<void> {
  await readPreviewCounts(page);
  await expect(page.getByTestId("unknown-columns")).toContainText("Notes");
  const refusedStage = page.locator('[data-test="import-row"][data-row="5"]');
  await expect(refusedStage).toHaveAttribute("data-action", "refused");
  await expect(refusedStage).toContainText('unknown stage "prod" — allowed: define, design, build, deploy');
  await expect(page.locator('[data-test="import-row"][data-row="6"]')).toContainText(
    `owner nobody.${tag}@example.com not found`,
  );
  await expect(page.locator('[data-test="import-row"][data-row="3"]')).toContainText(
    "flagged gate_gap (imported)",
  );
}

test("an admin imports a spreadsheet: preview, error report, commit, then the projects", async ({ browser }) => {
  const page = await sessionAs(browser, ADMIN);
  const tag = Date.now().toString(36);
  // In-app: the projects list's Import button.
  await page.getByRole("link", { name: "Projects" }).first().click();
  await hydrated(page);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Import projects", level: 1 })).toBeVisible();
  await expectAccessible(page);

  // A file that is not a spreadsheet: one message next to the field, nothing kept.
  await page.getByLabel("File").setInputFiles({ name: "notes.csv", mimeType: "text/csv", buffer: Buffer.from("") });
  await page.getByRole("button", { name: "Preview the import" }).click();
  await expect(page.getByTestId("field-error")).toHaveText("The file is empty.");

  await upload(page, tag, true);
  await hydrated(page);
  await readPreview(page, tag);
  // The "Notes" column is not a field: read it as the summary, and the rows are planned again.
  const remap = page.getByTestId("remap-form").filter({ hasText: "Notes" });
  await remap.getByLabel(/Read column .Notes. as/).selectOption("summary");
  await remap.getByRole("button", { name: "Preview again" }).click();
  await expect(page.getByTestId("remap-form").filter({ hasText: "Notes" })).toContainText("read as summary");
  await expect(page.getByTestId("unknown-columns")).toHaveCount(0);
  await readPreviewCounts(page);
  await expectAccessible(page);

  const download = page.waitForEvent("download");
  await page.getByTestId("import-report").click();
  const report = await (await download).createReadStream();
  let text = "";
  for await (const chunk of report) text += chunk;
  expect(text).toContain("row,name,outcome,problems,notes");
  expect(text).toContain(`5,Bad stage ${tag},refused,"unknown stage ""prod"" — allowed: define, design, build, deploy",`);

  await page.getByRole("button", { name: "Import 3 rows" }).click();
  await expect(page.getByTestId("import-summary")).toContainText(
    "Imported: 3 created, 0 updated, 0 unchanged, 2 refused.",
    { timeout: 20_000 },
  );
  await expectAccessible(page);

  // The projects are in the list, and each one's timeline says it came from the import.
  await page.goto(`/projects?q=${encodeURIComponent(tag)}`);
  await expect(page.getByTestId("project-row")).toHaveCount(3);
  await page.getByRole("link", { name: `Claims triage ${tag}` }).click();
  await expect(page.getByTestId("project-name")).toHaveText(`Claims triage ${tag}`);
  const created = page.getByTestId("timeline-entry").filter({ hasText: "created the project" });
  await expect(created).toContainText(`Via: — → import inventory-${tag}.csv`);
  await expect(page.locator('[data-test="flag"][data-code="gate_gap"]')).toContainText("Build imported without");
});

test("the same import works with JavaScript off", async ({ browser }) => {
  const page = await sessionAs(browser, ADMIN, false);
  const tag = `nojs${Date.now().toString(36)}`;
  await upload(page, tag, false);
  await readPreview(page, tag);
  await page.getByRole("button", { name: "Import 3 rows" }).click();
  // Without JavaScript the page is reloaded to follow the progress.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("import-summary")).toContainText("3 created", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
});

test("an admin makes a write token and another system imports through the API with it", async ({ browser, request }) => {
  const page = await sessionAs(browser, ADMIN);
  const tag = `api${Date.now().toString(36)}`;
  await page.goto("/admin/tokens");
  await hydrated(page);
  await page.getByLabel("Token name").fill(`Migration ${tag}`);
  await page.getByLabel("Scope").selectOption("write");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toContainText(`Migration ${tag}`);
  const secret = (await page.getByTestId("token-secret").innerText()).trim();
  const row = page.locator(`[data-test="token-row"][data-name="Migration ${tag}"]`);
  await expect(row.getByTestId("scope")).toHaveText("write");
  await expectAccessible(page);

  const headers = { Authorization: `Bearer ${secret}`, "Content-Type": "text/csv" };
  const dry = await request.post(`/api/v1/imports?file_name=inventory-${tag}.csv`, { headers, data: inventory(tag) });
  expect(dry.status()).toBe(200);
  const preview = await dry.json();
  expect(preview.preview).toEqual({ created: 3, updated: 0, unchanged: 0, refused: 2 });
  expect(preview.rows[3].problems[0]).toContain('unknown stage "prod"');

  const real = await request.post(`/api/v1/imports?dry_run=false&file_name=inventory-${tag}.csv`, {
    headers,
    data: inventory(tag),
  });
  expect(real.status()).toBe(202);
  const url = (await real.json()).url as string;
  await expect(async () => {
    const now = await (await request.get(url, { headers: { Authorization: `Bearer ${secret}` } })).json();
    expect(now.status).toBe("done");
    expect(now.result).toEqual({ created: 3, updated: 0, unchanged: 0, refused: 2 });
  }).toPass({ timeout: 30_000 });

  // The projects are there, each saying on its timeline that it came through the token.
  await page.goto(`/projects?q=${encodeURIComponent(tag)}`);
  await expect(page.getByTestId("project-row")).toHaveCount(3);
  await page.getByRole("link", { name: `Fraud scoring ${tag}` }).click();
  const created = page.getByTestId("timeline-entry").filter({ hasText: "created the project" });
  await expect(created).toContainText(`import inventory-${tag}.csv (API token “Migration ${tag}”)`);
});
