/** The panel's discount form: what a cashier types becomes the register API's discount, and refusals read plainly. */
import { describe, expect, it } from "vitest";
import { DISCOUNT_REASON_CODES } from "../../shared/approvals";
import {
  describeTriggers,
  parseDiscountValue,
  pinRefusalText,
  platformName,
  REASON_OPTIONS,
} from "../../app/panel/discount-form";

describe("discount value", () => {
  it("a percent is a number above 0 and at most 100", () => {
    expect(parseDiscountValue("percent", "30", "USD")).toBe(30);
    expect(parseDiscountValue("percent", " 12.5 ", "USD")).toBe(12.5);
    expect(parseDiscountValue("percent", "0", "USD")).toBeNull();
    expect(parseDiscountValue("percent", "101", "USD")).toBeNull();
    expect(parseDiscountValue("percent", "-5", "USD")).toBeNull();
    expect(parseDiscountValue("percent", "ten", "USD")).toBeNull();
  });

  it("an amount becomes minor units of the order's currency, with a comma read as the decimal point", () => {
    expect(parseDiscountValue("amount", "12.50", "USD")).toBe(1250);
    expect(parseDiscountValue("amount", "12,50", "EUR")).toBe(1250);
    expect(parseDiscountValue("amount", "500", "JPY")).toBe(500);
    expect(parseDiscountValue("amount", "0.00", "USD")).toBeNull();
    expect(parseDiscountValue("amount", "", "USD")).toBeNull();
  });
});

describe("words on the panel", () => {
  it("offers every reason code the register API knows, each with a label", () => {
    expect(REASON_OPTIONS.map((option) => option.value)).toEqual([...DISCOUNT_REASON_CODES]);
    for (const option of REASON_OPTIONS) expect(option.label).not.toBe("");
  });

  it("names the limits a discount passes", () => {
    expect(describeTriggers(["percent"])).toBe("percentage limit");
    expect(describeTriggers(["percent", "amount"])).toBe("percentage limit and amount limit");
    expect(describeTriggers(["percent", "amount", "shift"])).toBe(
      "percentage limit, amount limit and limit for this shift",
    );
  });

  it("a wrong PIN does not say whether the manager or the PIN was wrong; other refusals keep the server's words", () => {
    expect(pinRefusalText("pin_refused", "Wrong PIN for Morgan")).toBe("That PIN was not accepted. Try again.");
    expect(pinRefusalText("approver_locked", "")).toMatch(/^Too many wrong PINs/);
    expect(pinRefusalText("device_locked", "")).toMatch(/^Too many wrong PINs/);
    expect(pinRefusalText("something_new", "The server's own words")).toBe("The server's own words");
  });

  it("names the POS the cashier rings up in", () => {
    expect(platformName("square")).toBe("Square");
    expect(platformName("clover")).toBe("Clover");
    expect(platformName("lightspeed")).toBe("Lightspeed");
    expect(platformName(undefined)).toBe("the register");
  });
});
