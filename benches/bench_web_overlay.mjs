// The lap overlay's speed in a real browser: two laps of two hour-long sessions (333 Hz, 40
// channels, ≈1.2 M rows each) overlaid on the Analysis page, timed with the page's own
// performance marks: `overlay:fetch` (the /api/compare request: the server aligns the laps),
// `overlay:render` (typed arrays, six uPlot charts drawn) and `overlay:total`; and the compare
// request alone from Node, without the page's other analytics competing for the server.
//
// Run from web/ after `npm run build`: `node ../benches/bench_web_overlay.mjs [--repeat 5] [--hours 1]`.
// It writes the sessions with benches/bench_web_overlay_data.py into a temporary data directory,
// serves it with `paddock serve`, and loads the page `--repeat` times (the first load is also
// reported on its own: the server reads the sessions' files then). Nothing here is asserted.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { freeTcpPort as freePort, freeUdpPort, launchBrowser, sleep } from "../tests/browser/harness.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = process.env.PADDOCK_PYTHON ?? path.join(ROOT, ".venv/bin/python");
const { values: opts } = parseArgs({
  options: { repeat: { type: "string", default: "5" }, hours: { type: "string", default: "1" }, rate: { type: "string", default: "333" } },
});
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const dir = mkdtempSync(path.join(tmpdir(), "paddock-bench-overlay-"));
let server;
let browser;
try {
  const t0 = Date.now();
  const gen = spawnSync(
    PYTHON,
    [path.join(ROOT, "benches/bench_web_overlay_data.py"), path.join(dir, "data"), "--hours", opts.hours, "--rate", opts.rate],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (gen.status !== 0) throw new Error(`data generation failed: ${gen.stderr}`);
  const data = JSON.parse(gen.stdout.trim().split("\n").pop());
  console.log(`sessions: ${data.sessions.length} × ${data.rows} rows, ${data.laps} laps each (written in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  const port = await freePort();
  const log = openSync(path.join(dir, "server.log"), "w");
  server = spawn(PYTHON, ["-m", "paddock.cli", "serve", "--host", "127.0.0.1", "--port", String(port), "--listen", "127.0.0.1",
    "--pcars-port", String(await freeUdpPort()), "--ttool-port", "0", "--ac-port", String(await freeUdpPort()), "--acc-port", String(await freeUdpPort()), "--data-dir", data.data_dir], { cwd: ROOT, stdio: ["ignore", log, log] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    await sleep(500);
  }

  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const [a, b] = data.sessions;
  const lap = Math.max(2, Math.floor(data.laps / 2));
  const url = `${base}/analysis/${a}?laps=${a}:${lap},${b}:${lap + 1}`;
  const runs = [];
  const repeat = Number(opts.repeat);
  for (let i = 0; i < repeat + 1; i++) {
    await page.goto(url);
    await page.waitForFunction(() => performance.getEntriesByName("overlay:total").length > 0, null, { timeout: 300_000 });
    const m = await page.evaluate(() =>
      Object.fromEntries(["overlay:fetch", "overlay:render", "overlay:total"].map((n) => [n.split(":")[1], performance.getEntriesByName(n).at(-1).duration])),
    );
    const points = await page.evaluate(() => document.querySelectorAll(".chart canvas").length);
    runs.push({ ...m, charts: points });
  }
  // the same /api/compare request alone, without the page's other analytics beside it
  const alone = [];
  for (let i = 0; i < Math.min(2, repeat); i++) {
    const t = performance.now();
    const res = await fetch(`${base}/api/compare?laps=${a}:${lap},${b}:${lap + 1}&channels=speed_kmh,throttle,brake,gear,steer,pos_x_m,pos_z_m,lon_deg,lat_deg&step_m=5`);
    await res.arrayBuffer();
    alone.push(performance.now() - t);
  }
  const [first, ...rest] = runs;
  const fmt = (v) => `${v.toFixed(1)} ms`;
  console.log(`first load: fetch ${fmt(first.fetch)}, render ${fmt(first.render)}, total ${fmt(first.total)}`);
  console.log(
    `median of ${rest.length}: fetch ${fmt(median(rest.map((r) => r.fetch)))}, render ${fmt(median(rest.map((r) => r.render)))}, ` +
      `total ${fmt(median(rest.map((r) => r.total)))} (render min ${fmt(Math.min(...rest.map((r) => r.render)))}, max ${fmt(Math.max(...rest.map((r) => r.render)))}); ${first.charts} charts`,
  );
  console.log(`/api/compare alone (no other request running): ${alone.map(fmt).join(", ")}`);
} finally {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await Promise.race([new Promise((r) => server.once("exit", r)), sleep(10_000)]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
}
