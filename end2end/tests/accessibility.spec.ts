import { test } from "@playwright/test";
import { adminSession, expectAccessible, hydrated, newPerson, ProjectPage, sessionAs } from "./support";

// Every page each role can open, hydrated, with axe-core: 0 serious or critical violations.
const PAGES: Record<string, string[]> = {
  admin: ["/", "/portfolio", "/projects", "/projects/new", "/admin/accounts", "/admin/thresholds", "/admin/tokens", "/account"],
  editor: ["/", "/portfolio", "/projects", "/projects/new", "/account"],
  reviewer: ["/", "/portfolio", "/projects", "/account"],
  viewer: ["/", "/portfolio", "/projects", "/account"],
};

test("every page, for every role, has no serious or critical accessibility violation", async ({ browser }) => {
  test.setTimeout(240_000);
  const admin = await adminSession(await browser.newContext());
  // A project with a record, so the project page has something on it.
  const project = new ProjectPage(admin.page);
  const name = `Accessible ${Date.now().toString(36)}`;
  await project.create(name, "Ops");
  await project.addDemo("First look");
  const projectPath = new URL(admin.page.url()).pathname;

  for (const role of ["admin", "editor", "reviewer", "viewer"]) {
    const page =
      role === "admin"
        ? admin.page
        : await (async () => {
            const person = newPerson(`A11y ${role}`);
            await admin.open();
            await admin.create(person, role);
            return sessionAs(browser, person);
          })();
    for (const path of [...PAGES[role], projectPath, ...(role === "admin" || role === "editor" ? [`${projectPath}/edit`] : [])]) {
      await page.goto(path);
      await hydrated(page);
      await expectAccessible(page);
    }
  }
});
