import { describe, expect, it } from "vitest";

import { allowed, boundaryFromForm, boundaryToForm, emptyBoundaryForm, emptyRiskFilter, riskQuery } from "./risk";

describe("riskQuery", () => {
  it("sends only the filters that are set, times as Unix seconds", () => {
    expect(riskQuery(emptyRiskFilter())).toEqual({ limit: 200 });
    const q = riskQuery({
      ...emptyRiskFilter(),
      since: "2025-01-26T10:00:00Z",
      min_risk_level: "CRITICAL",
      outcome: "reject",
      source: "boundary",
      limit: 99999,
    });
    expect(q).toEqual({
      since: Date.parse("2025-01-26T10:00:00Z") / 1000,
      min_risk_level: "CRITICAL",
      outcome: "reject",
      source: "boundary",
      limit: 5000,
    });
  });
});

describe("boundary form", () => {
  it("turns the inputs into a boundary, empty numbers as none", () => {
    const r = boundaryFromForm({ ...emptyBoundaryForm(), name: "water", channel: "water_temp_c", max: "110", max_rate: "5" });
    expect(r).toEqual({
      body: {
        name: "water",
        channel: "water_temp_c",
        feed: null,
        min: null,
        max: 110,
        max_rate: 5,
        risk_level: "CRITICAL",
        description: null,
        enabled: true,
      },
    });
  });
  it("refuses what the server would refuse", () => {
    const base = { ...emptyBoundaryForm(), name: "w", channel: "c" };
    expect(boundaryFromForm({ ...base })).toEqual({ error: "give at least one of min, max, max_rate" });
    expect(boundaryFromForm({ ...base, min: "abc" })).toEqual({ error: "min must be a number" });
    expect(boundaryFromForm({ ...base, min: "5", max: "1" })).toEqual({ error: "min is above max" });
    expect(boundaryFromForm({ ...base, name: " ", max: "1" })).toEqual({ error: "a boundary needs a name" });
  });
  it("round-trips through the form", () => {
    const b = { name: "oil", channel: "oil_temp_c", feed: "pcars", min: 40, max: 130, max_rate: null, risk_level: "ELEVATED", description: "oil", enabled: false };
    expect(boundaryFromForm(boundaryToForm(b))).toEqual({ body: b });
  });
});

describe("runtime control", () => {
  it("allows only the state machine's transitions", () => {
    expect(allowed("idle", "start")).toBe(true);
    expect(allowed("idle", "pause")).toBe(false);
    expect(allowed("running", "pause")).toBe(true);
    expect(allowed("running", "start")).toBe(false);
    expect(allowed("paused", "resume")).toBe(true);
    expect(allowed("stopped", "reset")).toBe(true);
    expect(allowed("emergency", "start")).toBe(false);
    for (const s of ["idle", "running", "paused", "stopped", "emergency", "weird"]) expect(allowed(s, "estop")).toBe(true);
  });
});
