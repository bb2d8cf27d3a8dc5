import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../app/services/llm.server";

/** A breaker on a clock the test moves: 3 failures open it for 1 s. */
function breakerAt(start = 1_000_000) {
  let now = start;
  const breaker = new CircuitBreaker(3, 1_000, () => now);
  return { breaker, advance: (ms: number) => (now += ms) };
}

describe("the model's circuit breaker", () => {
  it("opens after the threshold of failures in a row, and a success in between starts the count again", () => {
    const { breaker } = breakerAt();
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect([breaker.state, breaker.allow()]).toEqual(["closed", true]);
    breaker.failure();
    expect([breaker.state, breaker.allow()]).toEqual(["open", false]);
  });

  it("after the cool-down lets exactly one probe through; while it runs every other call is refused", () => {
    const { breaker, advance } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(999);
    expect([breaker.state, breaker.allow()]).toEqual(["open", false]);
    advance(1);
    expect(breaker.state).toBe("half-open");
    expect([breaker.allow(), breaker.allow(), breaker.allow()]).toEqual([true, false, false]);
  });

  it("a failed probe opens it again for a whole cool-down; a successful one closes it", () => {
    const { breaker, advance } = breakerAt();
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(1_000);
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    // One failure is enough when it is the probe's, and the cool-down starts from the probe.
    expect([breaker.state, breaker.allow()]).toEqual(["open", false]);
    advance(999);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe("closed");
    expect([breaker.allow(), breaker.allow()]).toEqual([true, true]);
    // Closed again means the full threshold applies again.
    breaker.failure();
    breaker.failure();
    expect(breaker.allow()).toBe(true);
  });
});
