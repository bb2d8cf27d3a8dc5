import { describe, expect, it } from "vitest";
import { loyaltyLocationsAfter, resolveSwitches } from "../../shared/location-settings";

const row = (locationExternalId: string, copilotEnabled = true, returnsEnabled = true) => ({
  locationExternalId,
  copilotEnabled,
  returnsEnabled,
});

describe("resolveSwitches", () => {
  it("is all on with no rows, and for a register that does not say where it is", () => {
    expect(resolveSwitches([], "1")).toEqual({ copilot: true, returns: true });
    expect(resolveSwitches([row("1", false)], null)).toEqual({ copilot: true, returns: true });
  });

  it("lets a shop-wide pause win over a location that is on, and a location pause stay local", () => {
    expect(resolveSwitches([row("", false), row("1", true)], "1")).toEqual({ copilot: false, returns: false });
    expect(resolveSwitches([row(""), row("1", false)], "1")).toEqual({ copilot: false, returns: false });
    expect(resolveSwitches([row(""), row("1", false)], "2")).toEqual({ copilot: true, returns: true });
  });

  it("lets a location's returns switch override the shop's either way", () => {
    expect(resolveSwitches([row("", true, false), row("1", true, true)], "1").returns).toBe(true);
    expect(resolveSwitches([row("", true, false), row("1", true, true)], "2").returns).toBe(false);
    expect(resolveSwitches([row("", true, true), row("1", true, false)], "1").returns).toBe(false);
  });
});

describe("loyaltyLocationsAfter", () => {
  const all = ["1", "2", "3"];
  it("lists the others when one leaves an all-locations program", () => {
    expect(loyaltyLocationsAfter([], all, "2", false)).toEqual(["1", "3"]);
  });
  it("goes back to all when every location is listed again", () => {
    expect(loyaltyLocationsAfter(["1", "3"], all, "2", true)).toEqual([]);
    expect(loyaltyLocationsAfter([], all, "2", true)).toEqual([]);
  });
  it("adds and removes one location from a list", () => {
    expect(loyaltyLocationsAfter(["3"], all, "1", true)).toEqual(["1", "3"]);
    expect(loyaltyLocationsAfter(["1", "3"], all, "3", false)).toEqual(["1"]);
  });
  it("says so when no location would be left", () => {
    expect(loyaltyLocationsAfter(["1"], all, "1", false)).toBeNull();
  });
});
