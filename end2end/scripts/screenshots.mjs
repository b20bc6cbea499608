// Takes a screenshot of every page, at laptop and phone widths, against a running server with
// an empty database: `node end2end/scripts/screenshots.mjs [base URL] [output dir]`.
// Not part of the test suite: it is how we look at the pages as a new user would.
import { chromium } from "@playwright/test";
import { mkdirSync } from "node:fs";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const out = process.argv[3] ?? "screenshots";
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
context.setDefaultTimeout(10_000);
const page = await context.newPage();
const hydrated = () => page.waitForSelector("body[data-hydrated=true]");
const shot = async (name) => {
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  console.log(`${out}/${name}.png`);
};

await page.goto("/");
await hydrated();
await page.getByRole("button", { name: "Create admin account" }).click();
await page.locator("[data-test=field-error]").first().waitFor();
await shot("01-setup-errors");
await page.getByLabel("Your name").fill("Ada Admin");
await page.getByLabel("Email").fill("ada@example.com");
await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
await page.getByLabel("Repeat the password").fill("correct horse battery staple");
await page.getByRole("button", { name: "Create admin account" }).click();
await page.waitForURL(/\/$/);
await hydrated();
await shot("02-home-empty");

await page.goto("/admin/accounts");
await hydrated();
for (const [name, email, role] of [["Ana Lopez", "ana@example.com", "editor"], ["Vic Reyes", "vic@example.com", "viewer"]]) {
  const form = page.locator("[data-test=new-account-form]");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption(role);
  await form.getByLabel("Initial password").fill("a long enough password");
  await form.getByRole("button", { name: "Create account" }).click();
  await page.locator("[data-test=form-success]").filter({ hasText: name }).waitFor();
}
await shot("03-accounts");

await page.goto("/projects/new");
await hydrated();
await page.getByRole("button", { name: "Create project" }).click();
await page.locator("[data-test=field-error]").first().waitFor();
await shot("04-new-project-errors");
await page.getByLabel("Name").fill("Claims triage assistant");
await page.getByLabel("Team").fill("Claims");
await page.getByLabel("Summary").fill("Suggests a triage queue for each new claim so adjusters start on the urgent ones.");
await page.getByRole("button", { name: "Create project" }).click();
await page.locator("[data-test=project-name]").waitFor();
await hydrated();
await page.getByRole("button", { name: "Move to Design" }).click();
await page.locator("[data-test=move-refused]").waitFor();
await shot("05-project-refused");
await page.getByRole("link", { name: "Edit project" }).click();
await page.getByRole("button", { name: "Save changes" }).waitFor();
await hydrated();
await shot("06-edit-project");
await page.getByLabel("Problem statement").fill("Claims wait nine days for triage.");
await page.getByLabel("Success metric").fill("Median days from claim to triage");
await page.getByLabel("Success target").fill("Under 2 days");
await page.getByRole("button", { name: "Save changes" }).click();
await page.locator("[data-test=project-name]").waitFor();
await hydrated();
const evidence = page.locator("[data-test=records-evidence]");
await evidence.getByText("Add user-research evidence").click();
await evidence.getByLabel("Participants").fill("8");
await evidence.getByLabel("Title").fill("Adjuster interviews");
await evidence.getByLabel("Findings").fill("Adjusters triage by hand and want a ranked queue.");
await evidence.getByRole("button", { name: "Add evidence" }).click();
await evidence.locator("[data-test=record]").waitFor();
await page.getByRole("button", { name: "Move to Design" }).click();
await page.locator('[data-test="stage-stepper"] [aria-current="step"]', { hasText: "Design" }).waitFor();
await shot("07-project-design");

for (let i = 1; i <= 4; i++) {
  await page.goto("/projects/new");
  await hydrated();
  await page.getByLabel("Name").fill(`Forecast model ${i}`);
  await page.getByLabel("Team").fill(i % 2 ? "Supply chain" : "Finance");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.locator("[data-test=project-name]").waitFor();
}
await page.goto("/projects");
await hydrated();
await shot("08-projects");
await page.goto("/");
await hydrated();
await shot("09-home");
await page.goto("/no/such/page");
await shot("10-not-found");
await page.goto("/admin/thresholds");
await hydrated();
await shot("15-thresholds");

const editor = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
const editorPage = await editor.newPage();
await editorPage.goto("/login");
await editorPage.getByLabel("Email").fill("ana@example.com");
await editorPage.getByLabel("Password").fill("a long enough password");
await editorPage.getByRole("button", { name: "Sign in" }).click();
await editorPage.waitForURL(/\/$/);
await editorPage.locator("[data-test=my-projects]").waitFor();
await editorPage.screenshot({ path: `${out}/16-my-work.png`, fullPage: true });

const phone = await browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 }, isMobile: true });
const phonePage = await phone.newPage();
await phonePage.goto("/login");
await phonePage.getByLabel("Email").fill("vic@example.com");
await phonePage.getByLabel("Password").fill("wrong password here");
await phonePage.getByRole("button", { name: "Sign in" }).click();
await phonePage.locator("[data-test=form-error]").waitFor();
await phonePage.screenshot({ path: `${out}/11-phone-login-error.png`, fullPage: true });
await phonePage.getByLabel("Password").fill("a long enough password");
await phonePage.getByRole("button", { name: "Sign in" }).click();
await phonePage.waitForURL(/\/$/);
await phonePage.goto("/projects");
await phonePage.screenshot({ path: `${out}/12-phone-projects.png`, fullPage: true });
await phonePage.getByRole("link", { name: "Claims triage assistant" }).click();
await phonePage.locator("[data-test=project-name]").waitFor();
await phonePage.screenshot({ path: `${out}/13-phone-project-viewer.png`, fullPage: true });
await phonePage.goto("/admin/accounts");
await phonePage.screenshot({ path: `${out}/14-phone-forbidden.png`, fullPage: true });
console.log("done");
await browser.close();
