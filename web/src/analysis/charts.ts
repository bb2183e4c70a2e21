// uPlot options for the lap overlay: one chart per channel on the shared distance axis, every
// chart's cursor synced (hover one, all follow), dark theme colours, laps in a fixed palette.
import type uPlot from "uplot";

export const LAP_COLORS = ["#4fa3ff", "#f2b84b", "#3ecf8e", "#ff5d5d", "#c792ea", "#7fdbca", "#ff9e64", "#d7dde4"];

export function lapColor(i: number): string {
  return LAP_COLORS[i % LAP_COLORS.length] ?? "#4fa3ff";
}

/** A Float64Array with NaN gaps as the array uPlot draws (null = gap). */
export function toSeries(values: Float64Array): (number | null)[] {
  const out = new Array<number | null>(values.length);
  values.forEach((v, i) => {
    out[i] = Number.isFinite(v) ? v : null;
  });
  return out;
}

export interface TraceSpec {
  key: string;
  title: string;
  unit: string;
  digits: number;
  /** Fixed range, else uPlot's auto range. */
  range?: [number, number];
  stepped?: boolean;
  height: number;
}

export const TRACES: TraceSpec[] = [
  { key: "delta", title: "Δ time", unit: "s", digits: 3, height: 130 },
  { key: "speed_kmh", title: "Speed", unit: "km/h", digits: 1, height: 150 },
  { key: "throttle", title: "Throttle", unit: "", digits: 2, range: [0, 1], height: 80 },
  { key: "brake", title: "Brake", unit: "", digits: 2, range: [0, 1], height: 80 },
  { key: "gear", title: "Gear", unit: "", digits: 0, stepped: true, height: 80 },
  { key: "steer", title: "Steer", unit: "", digits: 2, range: [-1, 1], height: 80 },
];

const AXIS = { stroke: "#8b96a3", grid: { stroke: "#222a33", width: 1 }, ticks: { stroke: "#2b3440", width: 1 } };

export function overlayOptions(
  spec: TraceSpec,
  labels: string[],
  width: number,
  syncKey: string,
  showX: boolean,
  onCursor?: (u: uPlot) => void,
  steppedPaths?: uPlot.Series.PathBuilder,
): uPlot.Options {
  return {
    width,
    height: spec.height,
    padding: [6, 8, 0, 0],
    legend: { show: false },
    cursor: {
      sync: { key: syncKey, setSeries: true },
      drag: { x: true, y: false, setScale: true },
      points: { size: 5 },
    },
    scales: {
      x: { time: false },
      y: spec.range ? { range: spec.range } : { auto: true },
    },
    axes: [
      { ...AXIS, show: showX, size: showX ? 28 : 0, values: (_u, vals) => vals.map((v) => `${Math.round(v)} m`) },
      { ...AXIS, size: 52, label: spec.unit ? `${spec.title} (${spec.unit})` : spec.title, labelSize: 14, labelFont: "11px sans-serif" },
    ],
    series: [
      { label: "distance" },
      ...labels.map((label, i) => ({
        label,
        stroke: lapColor(i),
        width: i === 0 ? 1.5 : 1.25,
        points: { show: false },
        ...(spec.stepped && steppedPaths ? { paths: steppedPaths } : {}),
      })),
    ],
    hooks: onCursor ? { setCursor: [onCursor] } : {},
  };
}
