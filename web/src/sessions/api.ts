// The session routes the pages call (docs/api.md, "Sessions").
import { api, requestBlob } from "@/api/client";
import type { SessionBody } from "./form";
import type { Note, Run, Session, SttTask } from "./types";

const enc = encodeURIComponent;
const base = (sid: string) => `/api/sessions/${enc(sid)}`;

export const sessionsApi = {
  list: () => api.get<Session[]>("/api/sessions"),
  get: (sid: string) => api.get<Session>(base(sid)),
  create: (body: SessionBody) => api.post<Session>("/api/sessions", body),
  patch: (sid: string, body: Record<string, unknown>) => api.patch<Session>(base(sid), body),
  remove: (sid: string) => api.del<undefined>(base(sid)),
  complete: (sid: string) => api.post<Session>(`${base(sid)}/complete`),
  reopen: (sid: string) => api.post<Session>(`${base(sid)}/reopen`),
  analyze: (sid: string) => api.post<Session>(`${base(sid)}/analyze`),

  runs: (sid: string) => api.get<Run[]>(`${base(sid)}/runs`),
  startRun: (sid: string, body: { feed_name: string; label?: string; merge_feeds?: string[] }) =>
    api.post<Run>(`${base(sid)}/runs`, body),
  stopRun: (sid: string, runId: string) => api.post<Run>(`${base(sid)}/runs/${enc(runId)}/stop`),
  deleteRun: (sid: string, runId: string) => api.del<undefined>(`${base(sid)}/runs/${enc(runId)}`),

  notes: (sid: string, query?: Record<string, string>) => api.get<Note[]>(`${base(sid)}/notes`, query),
  addNote: (sid: string, body: Partial<Note>) => api.post<Note>(`${base(sid)}/notes`, body),
  editNote: (sid: string, id: string, body: Partial<Note>) => api.put<Note>(`${base(sid)}/notes/${enc(id)}`, body),
  deleteNote: (sid: string, id: string) => api.del<{ message: string }>(`${base(sid)}/notes/${enc(id)}`),
  exportNotes: (sid: string, format: "markdown" | "json") =>
    requestBlob(`${base(sid)}/notes/export`, { query: { format } }),

  sttTasks: (sid: string) => api.get<SttTask[]>(`${base(sid)}/stt/tasks`),
};

/** Save a Blob as a file the browser downloads. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
