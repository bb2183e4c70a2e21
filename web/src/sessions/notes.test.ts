/* eslint-disable @typescript-eslint/no-non-null-assertion -- the fixtures are built right here; a missing item fails the test anyway */
import { describe, expect, it } from "vitest";

import {
  applyNoteEvent,
  applyTaskEvent,
  emptyFilter,
  filterNotes,
  filterQuery,
  noteTimestamp,
  parseEvent,
  parseTags,
  speakers,
} from "./notes";
import type { Note, SttTask } from "./types";

function note(id: string, timestamp: string, extra: Partial<Note> = {}): Note {
  return {
    id,
    timestamp,
    content: `note ${id}`,
    speaker: null,
    type: "observation",
    tags: [],
    telemetry_snapshot: null,
    created_at: timestamp,
    updated_at: timestamp,
    ...extra,
  };
}

const NOTES: Note[] = [
  note("n3", "2025-01-26T10:02:00Z", { speaker: "engineer", type: "command", content: "box this lap" }),
  note("n1", "2025-01-26T10:00:00Z", { speaker: "driver", content: "understeer in T3", tags: ["balance"] }),
  note("n2", "2025-01-26T10:01:00Z", { speaker: "driver", type: "system" }),
];

describe("filterNotes", () => {
  it("keeps every note in time order without a filter", () => {
    expect(filterNotes(NOTES, emptyFilter()).map((n) => n.id)).toEqual(["n1", "n2", "n3"]);
  });
  it("filters by speaker and type exactly", () => {
    expect(filterNotes(NOTES, { ...emptyFilter(), speaker: "driver" }).map((n) => n.id)).toEqual(["n1", "n2"]);
    expect(filterNotes(NOTES, { ...emptyFilter(), speaker: "driver", type: "system" }).map((n) => n.id)).toEqual(["n2"]);
  });
  it("filters by time with inclusive bounds", () => {
    const f = { ...emptyFilter(), from: "2025-01-26T10:01:00Z", to: "2025-01-26T10:02:00Z" };
    expect(filterNotes(NOTES, f).map((n) => n.id)).toEqual(["n2", "n3"]);
  });
  it("finds text in the content, speaker and tags", () => {
    expect(filterNotes(NOTES, { ...emptyFilter(), text: "BALANCE" }).map((n) => n.id)).toEqual(["n1"]);
    expect(filterNotes(NOTES, { ...emptyFilter(), text: "box" }).map((n) => n.id)).toEqual(["n3"]);
  });
  it("builds the same filter as the server's query", () => {
    const q = filterQuery({ ...emptyFilter(), speaker: "driver", from: "2025-01-26T10:01:00Z" });
    expect(q).toEqual({ speaker: "driver", from: "2025-01-26T10:01:00.000Z" });
  });
  it("lists the speakers once each", () => {
    expect(speakers(NOTES)).toEqual(["driver", "engineer"]);
  });
});

describe("session events", () => {
  it("adds, replaces and removes notes by id", () => {
    let notes = applyNoteEvent(NOTES, {
      event: "note.created",
      session_id: "s",
      data: { ...note("n0", "2025-01-26T09:59:00Z") },
    });
    expect(notes.map((n) => n.id)).toEqual(["n0", "n1", "n2", "n3"]);
    notes = applyNoteEvent(notes, {
      event: "note.updated",
      session_id: "s",
      data: { ...note("n1", "2025-01-26T10:00:00Z", { content: "oversteer in T3" }) },
    });
    expect(notes.find((n) => n.id === "n1")!.content).toBe("oversteer in T3");
    expect(notes).toHaveLength(4);
    notes = applyNoteEvent(notes, { event: "note.deleted", session_id: "s", data: { id: "n2" } });
    expect(notes.map((n) => n.id)).toEqual(["n0", "n1", "n3"]);
  });

  it("ignores events for other things and malformed notes", () => {
    expect(applyNoteEvent(NOTES, { event: "connected", session_id: "s", data: {} })).toHaveLength(3);
    expect(applyNoteEvent(NOTES, { event: "note.created", session_id: "s", data: { id: 3 } })).toHaveLength(3);
  });

  it("tracks STT task status", () => {
    const task: SttTask = {
      id: "t1",
      audio_chunk_id: "a1",
      duration_seconds: 3,
      status: "pending",
      transcript: null,
      error: null,
      created_at: "2025-01-26T10:00:00Z",
    };
    let tasks = applyTaskEvent([], { event: "stt.task.created", session_id: "s", data: { ...task } });
    expect(tasks.map((t) => t.status)).toEqual(["pending"]);
    tasks = applyTaskEvent(tasks, {
      event: "stt.task.done",
      session_id: "s",
      data: { ...task, status: "done", transcript: "push now" },
    });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.transcript).toBe("push now");
    tasks = applyTaskEvent(tasks, {
      event: "error.occurred",
      session_id: "s",
      data: { source: "stt", task_id: "t1", message: "decoder crashed" },
    });
    expect(tasks[0]).toMatchObject({ status: "failed", error: "decoder crashed" });
  });

  it("parses messages, skipping pong and junk", () => {
    expect(parseEvent("pong")).toBeNull();
    expect(parseEvent("{not json")).toBeNull();
    expect(parseEvent('{"x": 1}')).toBeNull();
    expect(parseEvent('{"event": "connected", "session_id": "s", "data": {"message": "hi"}}')).toEqual({
      event: "connected",
      session_id: "s",
      data: { message: "hi" },
    });
  });
});

describe("note input", () => {
  it("splits tags on commas and spaces", () => {
    expect(parseTags("balance, tyres  balance,,brakes")).toEqual(["balance", "tyres", "brakes"]);
    expect(parseTags("  ")).toEqual([]);
  });
  it("stamps a note now unless a time is given", () => {
    const now = new Date("2025-01-26T10:00:00Z");
    expect(noteTimestamp("", now)).toBe("2025-01-26T10:00:00.000Z");
    expect(noteTimestamp("2025-01-26T09:00:00Z", now)).toBe("2025-01-26T09:00:00.000Z");
    expect(noteTimestamp("garbage", now)).toBe("2025-01-26T10:00:00.000Z");
  });
});
