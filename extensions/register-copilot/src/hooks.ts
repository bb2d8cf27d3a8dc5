/**
 * Hooks shared by the tile and the modal. Each POS target runs in its own sandbox, so each
 * keeps its own copy of this state; the cart itself comes from POS and is the same everywhere.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { checkConnection, type Connection, type SessionTokenSource } from "./backend";

/** Re-check now and then: a register stays on the home screen for hours. */
const REFRESH_MS = 60_000;

export function useConnection(session: SessionTokenSource): { connection: Connection; refresh: () => void } {
  const [connection, setConnection] = useState<Connection>({ state: "checking" });
  // Only the newest check may write: a slow answer must not overwrite a newer one.
  const latest = useRef(0);

  const refresh = useCallback(() => {
    const run = ++latest.current;
    setConnection((previous) => (previous.state === "ready" ? previous : { state: "checking" }));
    void checkConnection(session).then((next) => {
      if (run === latest.current) setConnection(next);
    });
  }, [session]);

  useEffect(() => {
    const sequence = latest;
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      clearInterval(timer);
      sequence.current++; // an answer arriving after unmount is dropped
    };
  }, [refresh]);

  return { connection, refresh };
}

interface Subscribable<T> {
  readonly value: T;
  subscribe(listener: (value: T) => void): () => void;
}

/**
 * The current value of a POS signal (cart.current, locale, staffMember). Subscribing works both
 * with a real Preact signal (handed over through setSignals) and with a plain ReadonlySignalLike.
 */
export function useSignalValue<T>(signal: Subscribable<T>): T {
  const [value, setValue] = useState(() => signal.value);
  useEffect(() => signal.subscribe(setValue), [signal]);
  return value;
}
