// The risk log's filters, the boundary form, and the runtime control state machine as the
// buttons see it (docs/api.md, "Risk log", "Boundaries", "Runtime control").

export const RISK_LEVELS = ["NORMAL", "ELEVATED", "CRITICAL", "EMERGENCY"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RiskEntry {
  id: number | string;
  source: "cycle" | "boundary" | string;
  timestamp: number;
  risk_level: RiskLevel | string;
  outcome: "reject" | "clamp" | "pass" | string;
  failure_type: string | null;
  reason: string | null;
  latency_ms: number | null;
  cycle_id?: number | null;
  trace_id?: string | null;
  active_task?: string | null;
  boundary?: string | null;
  feed?: string | null;
  channel?: string | null;
  value?: number | null;
  limit?: number | null;
}

export interface RiskStats {
  total_events: number;
  rejected: number;
  clamped: number;
  passed: number;
  by_risk_level: Record<string, number>;
  by_source: Record<string, number>;
  avg_latency_ms: number | null;
}

export interface RiskFilter {
  /** `datetime-local` text; empty for no bound. */
  since: string;
  until: string;
  min_risk_level: string;
  outcome: string;
  source: string;
  limit: number;
}

export function emptyRiskFilter(): RiskFilter {
  return { since: "", until: "", min_risk_level: "", outcome: "", source: "", limit: 200 };
}

/** The `/api/risk-log` query for a filter: times as Unix seconds, empty fields left out. */
export function riskQuery(f: RiskFilter): Record<string, string | number> {
  const q: Record<string, string | number> = {};
  const since = f.since ? Date.parse(f.since) : NaN;
  const until = f.until ? Date.parse(f.until) : NaN;
  if (!Number.isNaN(since)) q.since = since / 1000;
  if (!Number.isNaN(until)) q.until = until / 1000;
  if (f.min_risk_level) q.min_risk_level = f.min_risk_level;
  if (f.outcome) q.outcome = f.outcome;
  if (f.source) q.source = f.source;
  q.limit = Math.min(5000, Math.max(1, Math.round(f.limit) || 100));
  return q;
}

/** The severity class of a risk level, for colour. */
export function levelClass(level: string): "ok" | "warn" | "bad" {
  if (level === "NORMAL") return "ok";
  if (level === "ELEVATED") return "warn";
  return "bad";
}

export interface Boundary {
  name: string;
  channel: string;
  feed: string | null;
  min: number | null;
  max: number | null;
  max_rate: number | null;
  risk_level: string;
  description: string | null;
  enabled: boolean;
}

/** The boundary form as the inputs hold it (numbers as text, so an empty field means none). */
export interface BoundaryForm {
  name: string;
  channel: string;
  feed: string;
  min: string;
  max: string;
  max_rate: string;
  risk_level: string;
  description: string;
  enabled: boolean;
}

export function emptyBoundaryForm(): BoundaryForm {
  return { name: "", channel: "", feed: "", min: "", max: "", max_rate: "", risk_level: "CRITICAL", description: "", enabled: true };
}

export function boundaryToForm(b: Boundary): BoundaryForm {
  const s = (v: number | null) => (v === null || v === undefined ? "" : String(v));
  return {
    name: b.name,
    channel: b.channel,
    feed: b.feed ?? "",
    min: s(b.min),
    max: s(b.max),
    max_rate: s(b.max_rate),
    risk_level: b.risk_level,
    description: b.description ?? "",
    enabled: b.enabled,
  };
}

/** The boundary body of a form, or the reason it cannot be sent (the rules the server applies). */
export function boundaryFromForm(f: BoundaryForm): { body: Boundary } | { error: string } {
  const num = (label: string, text: string): number | null | string => {
    const t = text.trim();
    if (!t) return null;
    const v = Number(t);
    return Number.isFinite(v) ? v : `${label} must be a number`;
  };
  if (!f.name.trim()) return { error: "a boundary needs a name" };
  if (!f.channel.trim()) return { error: "a boundary needs a channel" };
  const min = num("min", f.min);
  const max = num("max", f.max);
  const rate = num("max_rate", f.max_rate);
  for (const v of [min, max, rate]) if (typeof v === "string") return { error: v };
  if (min === null && max === null && rate === null) return { error: "give at least one of min, max, max_rate" };
  if (typeof min === "number" && typeof max === "number" && min > max) return { error: "min is above max" };
  if (typeof rate === "number" && rate <= 0) return { error: "max_rate must be positive" };
  return {
    body: {
      name: f.name.trim(),
      channel: f.channel.trim(),
      feed: f.feed.trim() || null,
      min: min as number | null,
      max: max as number | null,
      max_rate: rate as number | null,
      risk_level: f.risk_level,
      description: f.description.trim() || null,
      enabled: f.enabled,
    },
  };
}

export type ControlState = "idle" | "running" | "paused" | "stopped" | "emergency";
export type ControlAction = "start" | "pause" | "resume" | "stop" | "estop" | "reset";

/** The transitions of the runtime's state machine: which actions each state allows. */
const ALLOWED: Record<ControlState, readonly ControlAction[]> = {
  idle: ["start", "estop"],
  running: ["pause", "stop", "estop"],
  paused: ["resume", "stop", "estop"],
  stopped: ["reset", "estop"],
  emergency: ["reset", "estop"],
};

/** Whether `action` is a transition out of `state` (unknown states allow only estop). */
export function allowed(state: string, action: ControlAction): boolean {
  const list = ALLOWED[state as ControlState];
  return list ? list.includes(action) : action === "estop";
}

export interface ControlStatus {
  state: ControlState | string;
  since: number | string | null;
  task_name: string | null;
  n_cycles: number | null;
  cycle_budget_ms: number | null;
  cycles_completed: number;
  last_action: string | null;
  reason: string | null;
  feeds: Record<string, string>;
}
