// The one "new session" form behind every seed's session body: rusty-telemetry's use_case/label,
// ASTRA's name/description, Pitwall's driver/driver_level/track/car/note, plus game and a
// recording to attach. The form keeps every field as text; `sessionBody` sends only those filled.

export const USE_CASES = [
  "shift_points",
  "racing_line",
  "braking_analysis",
  "lap_times",
  "sector_analysis",
  "track_map",
  "general",
] as const;

export interface SessionForm {
  name: string;
  label: string;
  description: string;
  use_case: string;
  driver: string;
  driver_level: string;
  track: string;
  car: string;
  game: string;
  note: string;
  recording_id: string;
}

export type SessionBody = Partial<Record<keyof SessionForm, string>>;

export function emptyForm(): SessionForm {
  return {
    name: "",
    label: "",
    description: "",
    use_case: "",
    driver: "",
    driver_level: "",
    track: "",
    car: "",
    game: "",
    note: "",
    recording_id: "",
  };
}

/** Which fields each seed's clients send; the form shows these first for the chosen style. */
export const FORM_STYLES = {
  rusty: { title: "Use case (rusty-telemetry)", fields: ["use_case", "label"] },
  astra: { title: "Test session (ASTRA)", fields: ["name", "description"] },
  pitwall: { title: "Driver session (Pitwall)", fields: ["driver", "driver_level", "track", "car", "note"] },
} as const satisfies Record<string, { title: string; fields: readonly (keyof SessionForm)[] }>;

export type FormStyle = keyof typeof FORM_STYLES;

const RECORDING_ID = /^[0-9a-f]{32}$/;

/** Problems that would make the server refuse the body, by field; empty when it can be sent. */
export function validateForm(form: SessionForm): Partial<Record<keyof SessionForm, string>> {
  const errors: Partial<Record<keyof SessionForm, string>> = {};
  const uc = form.use_case.trim();
  if (uc && !(USE_CASES as readonly string[]).includes(uc)) {
    errors.use_case = `unknown use case (one of ${USE_CASES.join(", ")})`;
  }
  const rec = form.recording_id.trim();
  if (rec && !RECORDING_ID.test(rec)) errors.recording_id = "a recording id is 32 lowercase hex digits";
  return errors;
}

/** The POST /api/sessions body: every filled field, trimmed; nothing for empty ones. */
export function sessionBody(form: SessionForm): SessionBody {
  const body: SessionBody = {};
  for (const [key, value] of Object.entries(form) as [keyof SessionForm, string][]) {
    const v = value.trim();
    if (v) body[key] = v;
  }
  return body;
}

/** The title a session goes by in lists: name, label, driver at track, or its id. */
export function sessionTitle(s: {
  id: string;
  name?: string | null;
  label?: string | null;
  driver?: string | null;
  track?: string | null;
}): string {
  if (s.name) return s.name;
  if (s.label) return s.label;
  if (s.driver && s.track) return `${s.driver} at ${s.track}`;
  if (s.driver) return s.driver;
  if (s.track) return s.track;
  return s.id;
}
