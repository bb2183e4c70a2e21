// Notes and speech-to-text tasks of a session: the filters the page offers, and how the events
// of `WS /ws/sessions/{sid}` change the lists the page shows (so it never needs to poll).

import type { Note, SessionEvent, SttTask } from "./types";

export interface NoteFilter {
  speaker: string;
  type: string;
  /** `datetime-local` text or ISO; empty for no bound. Inclusive, as the server's `from`/`to`. */
  from: string;
  to: string;
  text: string;
}

export function emptyFilter(): NoteFilter {
  return { speaker: "", type: "", from: "", to: "", text: "" };
}

function time(value: string): number {
  const t = Date.parse(value);
  return Number.isNaN(t) ? NaN : t;
}

/** The notes that pass the filter (speaker and type exact, time inclusive, text anywhere), by time. */
export function filterNotes(notes: readonly Note[], f: NoteFilter): Note[] {
  const from = f.from ? time(f.from) : NaN;
  const to = f.to ? time(f.to) : NaN;
  const text = f.text.trim().toLowerCase();
  return notes
    .filter((n) => {
      if (f.speaker && (n.speaker ?? "") !== f.speaker) return false;
      if (f.type && n.type !== f.type) return false;
      const t = time(n.timestamp);
      if (!Number.isNaN(from) && !(t >= from)) return false;
      if (!Number.isNaN(to) && !(t <= to)) return false;
      if (text) {
        const hay = [n.content, n.speaker ?? "", ...(n.tags ?? [])].join(" ").toLowerCase();
        if (!hay.includes(text)) return false;
      }
      return true;
    })
    .sort(byTimestamp);
}

/** The server-side query for the same filter (`?speaker=&type=&from=&to=`), empty fields left out. */
export function filterQuery(f: NoteFilter): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.speaker) q.speaker = f.speaker;
  if (f.type) q.type = f.type;
  const from = f.from ? time(f.from) : NaN;
  const to = f.to ? time(f.to) : NaN;
  if (!Number.isNaN(from)) q.from = new Date(from).toISOString();
  if (!Number.isNaN(to)) q.to = new Date(to).toISOString();
  return q;
}

/** Every speaker the notes name, sorted, for the filter's choices. */
export function speakers(notes: readonly Note[]): string[] {
  return [...new Set(notes.map((n) => n.speaker).filter((s): s is string => !!s))].sort();
}

function byTimestamp(a: Note, b: Note): number {
  return time(a.timestamp) - time(b.timestamp) || a.id.localeCompare(b.id);
}

/** Tags typed as `a, b c` → `["a", "b", "c"]` (commas or spaces, no empties or repeats). */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((t) => t.trim()).filter(Boolean))];
}

function isNote(v: unknown): v is Note {
  return !!v && typeof v === "object" && typeof (v as Note).id === "string" && typeof (v as Note).content === "string";
}

function isTask(v: unknown): v is SttTask {
  return !!v && typeof v === "object" && typeof (v as SttTask).id === "string" && "status" in (v as object);
}

/** The notes after one session event (created and updated replace by id, deleted removes). */
export function applyNoteEvent(notes: readonly Note[], ev: SessionEvent): Note[] {
  if (ev.event === "note.created" || ev.event === "note.updated") {
    if (!isNote(ev.data)) return [...notes];
    const note = ev.data;
    return [...notes.filter((n) => n.id !== note.id), note].sort(byTimestamp);
  }
  if (ev.event === "note.deleted") {
    const id = ev.data.id;
    return notes.filter((n) => n.id !== id);
  }
  return [...notes];
}

/** The STT tasks after one session event, newest first (created and done replace by id). */
export function applyTaskEvent(tasks: readonly SttTask[], ev: SessionEvent): SttTask[] {
  if (ev.event === "stt.task.created" || ev.event === "stt.task.done" || ev.event === "stt.task.updated") {
    if (!isTask(ev.data)) return [...tasks];
    const task = ev.data;
    return [task, ...tasks.filter((t) => t.id !== task.id)].sort((a, b) => time(b.created_at) - time(a.created_at));
  }
  if (ev.event === "error.occurred" && ev.data.source === "stt" && typeof ev.data.task_id === "string") {
    const id = ev.data.task_id;
    const message = typeof ev.data.message === "string" ? ev.data.message : "failed";
    return tasks.map((t) => (t.id === id ? { ...t, status: "failed", error: message } : t));
  }
  return [...tasks];
}

/** Parse one WebSocket message; null for `pong` and anything that is not a session event. */
export function parseEvent(raw: string): SessionEvent | null {
  if (raw === "pong") return null;
  try {
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === "object" && typeof (v as SessionEvent).event === "string") {
      const ev = v as SessionEvent;
      return { event: ev.event, session_id: String(ev.session_id ?? ""), data: (ev.data ?? {}) as Record<string, unknown> };
    }
  } catch {
    // not JSON: ignored
  }
  return null;
}

/** The `timestamp` of a new note from a `datetime-local` value (local time), or now. */
export function noteTimestamp(local: string, now: Date = new Date()): string {
  if (!local) return now.toISOString();
  const t = Date.parse(local);
  return Number.isNaN(t) ? now.toISOString() : new Date(t).toISOString();
}

/** An ISO time as the `datetime-local` input wants it (local, to the second). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
