import { chromium, selectors } from "@playwright/test";
selectors.setTestIdAttribute("data-test");
const base = "http://127.0.0.1:3310";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
for (const width of [390, 1366]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${base}/login`);
  await page.locator("input[name=email]").first().fill("ada.admin@example.com");
  await page.locator("input[name=password]").first().fill("correct horse battery staple");
  await page.locator("button[type=submit]").first().click();
  await page.waitForSelector("[data-test=signed-in-user]");
  await page.goto(`${base}/projects?q=Claims%20routing`);
  await page.getByRole("link", { name: /Claims routing/ }).first().click();
  await page.waitForSelector("body[data-hydrated=true]");
  await page.locator("#conditions").scrollIntoViewIfNeeded();
  await page.locator("#conditions").screenshot({ path: `/tmp/shots/cond-el-${width}.png` });
  await page.goto(`${base}/portfolio`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.getByTestId("tiles").screenshot({ path: `/tmp/shots/tiles-${width}.png` });
  await page.getByTestId("attention-conditions_overdue").screenshot({ path: `/tmp/shots/att-${width}.png` });
  await page.goto(`${base}/`);
  await page.waitForSelector("body[data-hydrated=true]");
  await page.screenshot({ path: `/tmp/shots/home-admin-${width}.png` });
  await page.close();
}
await browser.close();
