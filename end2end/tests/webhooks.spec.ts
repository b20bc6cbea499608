import { test, expect } from "@playwright/test";
import { adminSession, expectAccessible, hydrated, newPerson, ProjectPage, sessionAs } from "./support";

// A real endpoint started by scripts/test.sh: it verifies each delivery with the reference
// Standard Webhooks library and lists what it received.
const RECEIVER = process.env.TOLLGATE_WEBHOOK_RECEIVER ?? "http://127.0.0.1:3214";

test("an admin registers a webhook, a PM moves a stage, and the delivery shows as delivered", async ({
  browser,
  request,
}) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Ana");
  await admin.create(ana, "editor");
  const page = admin.page;

  await page.getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);

  // The receiver listens on 127.0.0.1: refused until an admin allows private addresses.
  const form = page.getByTestId("webhook-form");
  await form.getByLabel("Endpoint URL").fill("ftp://example.com/hooks");
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(form.getByText("Only http:// and https:// endpoints can be called.")).toBeVisible();
  await page.getByLabel(/Allow endpoints on loopback and private networks/).check();
  await page.getByTestId("private-form").getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel(/Allow endpoints on loopback/)).toBeChecked();

  await form.getByLabel("Endpoint URL").fill(`${RECEIVER}/hook`);
  await form.getByRole("button", { name: "Add endpoint" }).click();
  const secret = (await page.getByTestId("webhook-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^whsec_/);
  await expect(page.getByTestId("webhook-row")).toContainText(`${RECEIVER}/hook`);
  expect((await request.post(`${RECEIVER}/secret`, { data: secret })).ok()).toBeTruthy();

  // A PM moves a project into Design.
  const pm = await sessionAs(browser, ana);
  const project = new ProjectPage(pm);
  const name = `Webhook move ${Date.now().toString(36)}`;
  await project.create(name, "Claims");
  await project.edit({
    "Problem statement": "Claims wait nine days for triage.",
    "Success metric": "Median days to triage",
    "Success target": "Under 2 days",
  });
  await project.addEvidence("Adjuster interviews");
  await project.moveTo("Design");
  await expect(project.currentStage()).toContainText("Design");

  // The admin sees the move delivered (the worker runs every second).
  await expect(async () => {
    await page.reload();
    const moved = page.getByTestId("delivery-row").filter({ hasText: "project.moved" });
    await expect(moved.first()).toHaveAttribute("data-status", "delivered", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByTestId("delivery-row").filter({ hasText: "project.moved" }).first()).toContainText("204");
  await hydrated(page);
  await expectAccessible(page);

  // What the endpoint got passed the reference library's check.
  const received: { type: string; verified: boolean }[] = await (await request.get(`${RECEIVER}/received`)).json();
  expect(received.filter((r) => r.type === "project.moved" && r.verified)).toHaveLength(1);
  expect(received.every((r) => r.verified)).toBeTruthy();
});
