/** The pairing code field: the cashier types what the admin shows, in any case, with or without the dash. */
import { describe, expect, it } from "vitest";
import { formatPairingCode, isCompletePairingCode, normalizePairingCode } from "../../app/panel/pairing-code";

describe("pairing code as typed on the panel", () => {
  it("shows the code upper case with a dash after four characters", () => {
    expect(formatPairingCode("abcd")).toBe("ABCD");
    expect(formatPairingCode("abcde")).toBe("ABCD-E");
    expect(formatPairingCode("abcd2345")).toBe("ABCD-2345");
  });

  it("reads a pasted code with spaces or a dash the same way, and stops at eight characters", () => {
    expect(formatPairingCode(" abcd 2345 ")).toBe("ABCD-2345");
    expect(formatPairingCode("ABCD - 2345")).toBe("ABCD-2345");
    expect(formatPairingCode("abcd-2345-xyz")).toBe("ABCD-2345");
  });

  it("deleting back over the dash removes it", () => {
    expect(formatPairingCode("ABCD-")).toBe("ABCD");
  });

  it("sends the bare code and knows when it is complete", () => {
    expect(normalizePairingCode("abcd-2345")).toBe("ABCD2345");
    expect(isCompletePairingCode("abcd-234")).toBe(false);
    expect(isCompletePairingCode("abcd-2345")).toBe(true);
  });
});
