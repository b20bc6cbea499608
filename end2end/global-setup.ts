// The server may still be starting (initdb, migrations) when the suite begins: wait until it answers.
export default async function globalSetup(): Promise<void> {
  await healthy(process.env.TOLLGATE_BASE_URL ?? "http://127.0.0.1:3210");
  await healthy(process.env.TOLLGATE_SEEDED_URL ?? "http://127.0.0.1:3212");
}

async function healthy(base: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Tollgate did not become healthy at ${base}: ${last}`);
}
