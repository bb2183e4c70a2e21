// The PWA: installable (manifest, icons, service worker) and, once loaded, the app opens from the
// service worker with the server stopped, showing the recorded data it had loaded.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, screenshot, startServer, waitFor } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the app is installable and opens from the service worker with the server stopped", async () => {
  const manifest = await (await fetch(`${server.url}/manifest.webmanifest`)).json();
  assert.equal(manifest.display, "standalone");
  for (const icon of manifest.icons) {
    const res = await fetch(new URL(icon.src, server.url));
    assert.equal(res.status, 200, icon.src);
    assert.equal(res.headers.get("content-type")?.split(";")[0], icon.type);
  }

  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/live`);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  // the first load installs the worker; after a reload it controls the page
  await page.reload();
  await waitFor(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { message: "a controlling service worker" });

  // recorded data the app has loaded (a recording and the session list) is kept for offline use
  const rec = await fetch(`${server.url}/api/recordings`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  assert.equal(rec.status, 201);
  const { id } = await rec.json();
  await new Promise((r) => setTimeout(r, 1500));
  const stopped = await fetch(`${server.url}/api/recordings/${id}/stop?force=true`, { method: "POST" });
  assert.equal(stopped.status, 200);
  const online = await page.evaluate(async () => {
    const sessions = await fetch("/api/sessions");
    const recordings = await fetch("/api/recordings");
    return { sessions: sessions.status, recordings: (await recordings.json()).length };
  });
  assert.equal(online.sessions, 200);
  assert.ok(online.recordings >= 1);
  await page.goto(`${server.url}/recordings`);
  await page.locator(".topbar").waitFor();
  await page.waitForTimeout(500);

  await server.stop();

  await page.goto(`${server.url}/live`);
  await page.locator(".topbar").waitFor({ timeout: 10_000 });
  await page.locator(".nav-link", { hasText: "Sessions" }).waitFor();
  // the live page says it cannot reach the server rather than failing silently
  await page.locator(".status .chip.bad").first().waitFor({ timeout: 10_000 });
  await screenshot(page, "offline-live");
  await page.click(".nav-link:has-text('Recordings')");
  await page.locator(".page").waitFor();
  await page.reload();
  await page.locator(".topbar").waitFor({ timeout: 10_000 });
  const offline = await page.evaluate(async () => {
    const res = await fetch("/api/recordings");
    return { status: res.status, ids: (await res.json()).map((r) => r.id) };
  });
  assert.equal(offline.status, 200, "recordings answered from the cache");
  assert.ok(offline.ids.includes(id), "the recording loaded before is there offline");
  const sessions = await page.evaluate(() => fetch("/api/sessions").then((r) => r.status));
  assert.equal(sessions, 200, "the session list answered from the cache");
  await screenshot(page, "offline-recordings");
  await ctx.close();
});
