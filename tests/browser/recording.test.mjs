// The record button: start and stop a recording from the Live page, and the protected-stop window
// shown honestly (the server refuses, the page says why and offers a forced stop).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, screenshot, startServer, waitFor } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer({ env: { PADDOCK_RECORDING_PROTECTION_S: "4" } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a recording is started and stopped from the live page", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${server.url}/live`);
  await page.locator("[data-feed=pcars].ok").waitFor({ timeout: 30_000 });
  await page.click("[data-test=record]");
  await page.locator(".rec-chip").waitFor();
  await page.locator("[data-test=rec-message]", { hasText: "started" }).waitFor();
  const live = await (await fetch(`${server.url}/api/live`)).json();
  assert.ok(live.recording_id, "the server records");
  const id = live.recording_id;

  // inside the protected window the server refuses; the page shows its reason and offers force
  await page.click("[data-test=stop]");
  const refusal = await page.locator("[data-test=rec-error]").textContent({ timeout: 10_000 });
  assert.match(refusal ?? "", /force/i);
  assert.ok(await page.locator("[data-test=force-stop]").isVisible());
  assert.ok((await (await fetch(`${server.url}/api/live`)).json()).recording_id, "still recording");
  await screenshot(page, "live-recording-protected");

  // after the window a plain stop works
  await page.waitForTimeout(4500);
  await page.click("[data-test=stop]");
  await page.locator("[data-test=rec-message]", { hasText: "stopped" }).waitFor({ timeout: 30_000 });
  await page.locator("[data-test=record]").waitFor();
  const manifest = await (await fetch(`${server.url}/api/recordings/${id}`)).json();
  assert.notEqual(manifest.status, "recording");
  assert.ok(manifest.integrity, "stopping checked the files");
  await page.close();
});

test("a forced stop ends a protected recording", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/live`);
  await page.locator("[data-feed=pcars].ok").waitFor({ timeout: 30_000 });
  await page.click("[data-test=record]");
  await page.locator(".rec-chip").waitFor();
  await page.click("[data-test=stop]");
  await page.locator("[data-test=force-stop]").waitFor();
  await page.click("[data-test=force-stop]");
  await page.locator("[data-test=record]").waitFor({ timeout: 30_000 });
  await waitFor(async () => (await (await fetch(`${server.url}/api/live`)).json()).recording_id === null, {
    message: "the recording to end",
  });
  await page.close();
});
