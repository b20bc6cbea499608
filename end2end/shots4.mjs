import { chromium } from "@playwright/test";
const base = process.env.BASE ?? "http://127.0.0.1:3310";
const out = "/tmp/shots";
import { selectors } from "@playwright/test";
selectors.setTestIdAttribute("data-test");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const errors = [];
let first = true;
for (const width of [1366, 390]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.on("console", (m) => { if (m.type() === "error") errors.push(`${width} ${m.text()}`); });
  await page.goto(`${base}/login`);
  await page.locator("input[name=email]").first().fill("ada.admin@example.com");
  await page.locator("input[name=password]").first().fill("correct horse battery staple");
  await page.locator("button[type=submit]").first().click();
  await page.waitForSelector("[data-test=signed-in-user]");
  await page.waitForSelector("body[data-hydrated=true]");
  // In-app: Projects → the conditions project.
  await page.getByRole("link", { name: "Projects" }).first().click();
  await page.waitForSelector("[data-test=project-row]");
  await page.getByRole("link", { name: /Claims routing/ }).first().click();
  await page.waitForSelector("[data-test=conditions]");
  await page.waitForSelector("body[data-hydrated=true]");
  if (first) {
    // The admin takes on a condition, due yesterday, to see it in My work.
    const conditions = page.getByTestId("conditions");
    await conditions.getByText("Add a condition").click();
    const form = conditions.getByTestId("condition-form");
    await form.getByLabel("Condition").fill("Sign the deployment runbook");
    await form.getByLabel("Owner's email").fill("ada.admin@example.com");
    await form.getByLabel("Due on").fill(new Date(Date.now() - 86400000).toISOString().slice(0, 10));
    await form.getByRole("button", { name: "Add condition" }).click();
    await page.getByTestId("condition").filter({ hasText: "Sign the deployment runbook" }).waitFor();
    first = false;
  }
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${out}/conditions-nav-${width}.png`, fullPage: true });
  console.log(width, "sideways on project:", await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth));
  // Fresh load of the pivoted project.
  await page.goto(`${base}/projects?q=Payment%20triage`);
  await page.getByRole("link", { name: /Payment triage/ }).first().click();
  await page.waitForSelector("[data-test=stage-panel]");
  await page.reload();
  await page.waitForSelector("body[data-hydrated=true]");
  await page.screenshot({ path: `${out}/voided-fresh-${width}.png`, fullPage: true });
  await page.goto(`${base}/projects?q=Claims%20drift`);
  await page.getByRole("link", { name: /Claims drift/ }).first().click();
  await page.waitForSelector("[data-test=stage-panel]");
  await page.screenshot({ path: `${out}/drift-${width}.png`, fullPage: false });
  await page.goto(`${base}/`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.screenshot({ path: `${out}/mywork-${width}.png`, fullPage: true });
  await page.goto(`${base}/portfolio`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.screenshot({ path: `${out}/portfolio-${width}.png`, fullPage: true });
  console.log(width, "sideways on portfolio:", await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth));
  await page.goto(`${base}/admin/thresholds`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.screenshot({ path: `${out}/thresholds-${width}.png`, fullPage: true });
  await page.close();
}
console.log("console errors:", errors);
await browser.close();
