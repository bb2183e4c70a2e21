import { describe, expect, it } from "vitest";

import { emptyForm, FORM_STYLES, sessionBody, sessionTitle, validateForm } from "./form";

describe("sessionBody", () => {
  it("sends rusty-telemetry's use-case body", () => {
    const f = { ...emptyForm(), use_case: "braking_analysis", label: " Brake test " };
    expect(sessionBody(f)).toEqual({ use_case: "braking_analysis", label: "Brake test" });
  });
  it("sends ASTRA's test-session body", () => {
    const f = { ...emptyForm(), name: "Motor Test Session #42", description: "Testing arm torque limits" };
    expect(sessionBody(f)).toEqual({ name: "Motor Test Session #42", description: "Testing arm torque limits" });
  });
  it("sends Pitwall's driver body", () => {
    const f = { ...emptyForm(), driver: "KO", driver_level: "pro", track: "paddock_park", car: "gt3", note: "" };
    expect(sessionBody(f)).toEqual({ driver: "KO", driver_level: "pro", track: "paddock_park", car: "gt3" });
  });
  it("sends nothing for an empty form (the server fills in the defaults)", () => {
    expect(sessionBody(emptyForm())).toEqual({});
  });
  it("names only fields the form has in each style", () => {
    const keys = Object.keys(emptyForm());
    for (const style of Object.values(FORM_STYLES)) for (const f of style.fields) expect(keys).toContain(f);
  });
});

describe("validateForm", () => {
  it("accepts the known use cases and refuses others", () => {
    expect(validateForm({ ...emptyForm(), use_case: "lap_times" })).toEqual({});
    expect(validateForm({ ...emptyForm(), use_case: "laptimes" }).use_case).toMatch(/unknown use case/);
  });
  it("checks a recording id's form", () => {
    expect(validateForm({ ...emptyForm(), recording_id: "0123456789abcdef0123456789abcdef" })).toEqual({});
    expect(validateForm({ ...emptyForm(), recording_id: "xyz" }).recording_id).toMatch(/32 lowercase hex/);
  });
});

describe("sessionTitle", () => {
  it("prefers the name, then the label, then the driver and track", () => {
    expect(sessionTitle({ id: "s", name: "N", label: "L" })).toBe("N");
    expect(sessionTitle({ id: "s", name: null, label: "L" })).toBe("L");
    expect(sessionTitle({ id: "s", driver: "KO", track: "Monza" })).toBe("KO at Monza");
    expect(sessionTitle({ id: "sess_1" })).toBe("sess_1");
  });
});
