// The Live page's frame rate: 10 strip charts of channels arriving at 333 Hz, each drawing a 60 s
// window (about 20,000 points per chart), measured in headless Chromium with the performance API.
//
//   node benches/bench_web_live.mjs [--rate 333] [--window 60] [--measure 10] [--charts 10]
//
// It starts `paddock serve --simulate --sim-rate <rate>` (the harness of the browser tests), opens
// /live with the charts chosen in the URL, waits until the ring holds a full window, then counts
// animation frames for `--measure` seconds and reads the browser's long-animation-frame entries.
// Prints the frames per second, frame-interval percentiles and the script time per frame.
import { parseArgs } from "node:util";

import { launchBrowser, startServer } from "../tests/browser/harness.mjs";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "333" },
    window: { type: "string", default: "60" },
    measure: { type: "string", default: "10" },
    charts: { type: "string", default: "10" },
  },
});
const rate = Number(values.rate), windowS = Number(values.window), measureS = Number(values.measure);
const CHANNELS = ["speed_kmh", "rpm", "throttle", "brake", "clutch", "steer", "gear", "g_lat", "g_long", "lap_distance_m", "g_vert", "lap_time_s"].slice(0, Number(values.charts));

const server = await startServer({ extra: ["--sim-rate", String(rate)] });
let browser;
try {
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
  const url = `${server.url}/live?window=${windowS}&channels=${CHANNELS.join(",")}`;
  await page.goto(url);
  await page.locator("[data-test=transport]", { hasText: "Arrow WS" }).waitFor({ timeout: 60_000 });
  const charts = await page.locator(".strip-plot canvas").count();
  console.log(`page: ${url}\ncharts: ${charts}, channels at ${rate} Hz, window ${windowS} s`);
  const started = Date.now();
  process.stdout.write(`filling the ${windowS} s window `);
  while (Date.now() - started < (windowS + 2) * 1000) {
    await page.waitForTimeout(5000);
    process.stdout.write(".");
  }
  process.stdout.write("\n");
  const rowsPerS = Number(((await page.locator("[data-test=rows-per-s]").textContent()) ?? "").replace(/[^0-9.]/g, ""));

  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const metrics = (m) => Object.fromEntries(m.metrics.map((x) => [x.name, x.value]));
  const before = metrics(await cdp.send("Performance.getMetrics"));
  const result = await page.evaluate(async (seconds) => {
    const intervals = [];
    const loaf = [];
    let observer = null;
    if (PerformanceObserver.supportedEntryTypes?.includes("long-animation-frame")) {
      observer = new PerformanceObserver((list) => loaf.push(...list.getEntries()));
      observer.observe({ type: "long-animation-frame" });
    }
    await new Promise((resolve) => {
      let last = performance.now();
      const end = last + seconds * 1000;
      const tick = (now) => {
        intervals.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    observer?.disconnect();
    const sorted = [...intervals].sort((a, b) => a - b);
    const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    return {
      frames: intervals.length,
      fps: intervals.length / seconds,
      p50: q(0.5),
      p95: q(0.95),
      p99: q(0.99),
      max: sorted[sorted.length - 1],
      over20ms: intervals.filter((x) => x > 20).length,
      longFrames: loaf.length,
      longFrameScriptMs: loaf.reduce((s, e) => s + (e.scripts ?? []).reduce((t, x) => t + x.duration, 0), 0),
    };
  }, measureS);
  const after = metrics(await cdp.send("Performance.getMetrics"));
  const busy = (name) => ((after[name] - before[name]) * 1000) / result.frames;
  console.log(`rows arriving: ${rowsPerS.toFixed(0)} rows/s`);
  console.log(`frames in ${measureS} s: ${result.frames}  ->  ${result.fps.toFixed(1)} frames/s`);
  console.log(
    `frame interval ms: p50 ${result.p50.toFixed(1)}  p95 ${result.p95.toFixed(1)}  p99 ${result.p99.toFixed(1)}  max ${result.max.toFixed(1)}  (>20 ms: ${result.over20ms})`,
  );
  console.log(
    `main thread per frame: script ${busy("ScriptDuration").toFixed(2)} ms, tasks ${busy("TaskDuration").toFixed(2)} ms, layout ${busy("LayoutDuration").toFixed(2)} ms`,
  );
  console.log(`long animation frames (>50 ms): ${result.longFrames}, their script time ${result.longFrameScriptMs.toFixed(0)} ms`);
} finally {
  await browser?.close();
  await server.stop();
}
