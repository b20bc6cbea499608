import { chromium } from "@playwright/test";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
for (const [f, x, y, w, h] of [["voided-fresh-1366.png", 0, 0, 1366, 1100], ["conditions-nav-390.png", 0, 600, 390, 1100], ["portfolio-1366.png", 0, 0, 1366, 1100], ["thresholds-390.png", 0, 0, 390, 1100]]) {
  await page.setContent(`<body style="margin:0"><div style="width:${w}px;height:${h}px;overflow:hidden;position:relative"><img src="file:///tmp/shots/${f}" style="position:absolute;left:${-x}px;top:${-y}px"></div></body>`);
  await page.waitForTimeout(300);
  await page.locator("div").screenshot({ path: `/tmp/shots/crop-${f}` });
}
await browser.close();
