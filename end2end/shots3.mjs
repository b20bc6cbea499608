import { chromium } from "@playwright/test";
const base = process.env.BASE ?? "http://127.0.0.1:3310";
const out = "/tmp/shots";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const errors = [];
for (const width of [1366, 390]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.on("console", (m) => { if (m.type() === "error") errors.push(`${width} ${m.text()}`); });
  await page.goto(`${base}/login`);
  await page.locator("input[name=email]").first().fill("ada.admin@example.com");
  await page.locator("input[name=password]").first().fill("correct horse battery staple");
  await page.locator("button[type=submit]").first().click();
  await page.waitForSelector("[data-test=signed-in-user]");
  await page.waitForSelector("body[data-hydrated=true]");
  // In-app: Admin → API tokens.
  await page.goto(`${base}/admin`);
  await page.waitForSelector("body[data-hydrated=true]");
  const link = page.getByRole("link", { name: "API tokens" }).first();
  if (await link.count()) { await link.click(); } else { await page.goto(`${base}/admin/tokens`); }
  await page.waitForSelector("[data-test=token-form]");
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${out}/tokens-nav-${width}.png`, fullPage: true });
  await page.goto(`${base}/admin/tokens`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.screenshot({ path: `${out}/tokens-fresh-${width}.png`, fullPage: true });
  console.log(width, "sideways on tokens:", await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth));
  await page.goto(`${base}/projects`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.waitForSelector("[data-test=import-columns]");
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${out}/import-nav-${width}.png`, fullPage: true });
  await page.goto(`${base}/projects/import`);
  await page.waitForSelector("body[data-hydrated=true]");
  console.log(width, "sideways on import:", await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth));
  await page.close();
}
console.log("console errors:", errors);
await browser.close();
