/**
 * Hooks shared by the tile and the modal. Each POS target runs in its own sandbox, so each
 * keeps its own copy of this state; the cart itself comes from POS and is the same everywhere.
 */
import type { Cart } from "@shopify/ui-extensions/point-of-sale";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ApprovalsOverviewResponse, RegisterOrigin } from "../../../shared/pos-contract";
import { approvalsApi } from "./approvals";
import {
  APP_URL,
  checkConnection,
  fetchSuggestions,
  suggestionsRequestFor,
  type Connection,
  type SessionTokenSource,
  type Suggestions,
} from "./backend";

/** Re-check now and then: a register stays on the home screen for hours. */
const REFRESH_MS = 60_000;

export function useConnection(
  session: SessionTokenSource,
  locationId?: number | null,
): { connection: Connection; refresh: () => void } {
  const [connection, setConnection] = useState<Connection>({ state: "checking" });
  // Only the newest check may write: a slow answer must not overwrite a newer one.
  const latest = useRef(0);

  const refresh = useCallback(() => {
    const run = ++latest.current;
    setConnection((previous) => (previous.state === "ready" ? previous : { state: "checking" }));
    void checkConnection(session, fetch, APP_URL, locationId).then((next) => {
      if (run === latest.current) setConnection(next);
    });
  }, [session, locationId]);

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

/** A cashier scanning five items in a row causes one request, not five. */
export const SUGGESTIONS_DEBOUNCE_MS = 400;

/**
 * What the suggestions depend on: which variants are in the cart (not how many of each, since
 * the engine reads baskets as sets) and where the register is. Equal keys, no new request.
 */
export function suggestionsKey(cart: Pick<Cart, "lineItems">, locationId: number | undefined): string {
  const variants = [
    ...new Set(cart.lineItems.flatMap((line) => (line.variantId === undefined ? [] : [line.variantId]))),
  ];
  return `${locationId ?? "-"}:${variants.sort((a, b) => a - b).join(",")}`;
}

interface Timers {
  setTimeout: (run: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

export interface LatestLoader<I> {
  /** Loads `input` after `delayMs` unless a newer request comes first; the same key again is a no-op. */
  request(key: string, input: I, delayMs?: number): void;
  /** Loads the last input again, now (a "try again" button). */
  reload(): void;
  /** Drops the pending request and any answer still on its way. */
  dispose(): void;
}

/**
 * Debounced loading where only the newest request may answer: a slow reply about the previous
 * cart must never overwrite suggestions for the current one. Pure (timers injectable) so the
 * ordering rules are unit-tested without a DOM.
 */
export function createLatestLoader<I, O>(options: {
  load: (input: I, signal: AbortSignal) => Promise<O>;
  onStart?: (key: string) => void;
  onResult: (key: string, output: O) => void;
  delayMs?: number;
  timers?: Timers;
}): LatestLoader<I> {
  const timers: Timers = options.timers ?? {
    setTimeout: (run, ms) => setTimeout(run, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  let latest: { key: string; input: I } | null = null;
  let pending: unknown = null;
  let inFlight: AbortController | null = null;
  let sequence = 0;

  const stop = () => {
    if (pending !== null) timers.clearTimeout(pending);
    pending = null;
    inFlight?.abort();
    inFlight = null;
    sequence++;
  };

  const run = () => {
    pending = null;
    if (!latest) return;
    const { key, input } = latest;
    const mine = ++sequence;
    const controller = new AbortController();
    inFlight = controller;
    options.onStart?.(key);
    options.load(input, controller.signal).then(
      (output) => {
        if (mine !== sequence) return;
        inFlight = null;
        options.onResult(key, output);
      },
      () => {
        // load() reports failures as values; a throw here is an abort, which is stale anyway.
      },
    );
  };

  return {
    request(key, input, delayMs = options.delayMs ?? SUGGESTIONS_DEBOUNCE_MS) {
      if (latest?.key === key) return;
      stop();
      latest = { key, input };
      pending = timers.setTimeout(run, delayMs);
    },
    reload() {
      stop();
      run();
    },
    dispose() {
      stop();
      latest = null;
    },
  };
}

export interface SuggestionsState {
  suggestions: Suggestions;
  /** Try again now (after "offline"). */
  reload: () => void;
}

/**
 * Suggestions for the current cart, refreshed (debounced) when its contents change. `active`
 * false keeps it idle, e.g. the tile on an empty cart. The modal's first load is immediate.
 */
export function useSuggestions(
  session: SessionTokenSource,
  cart: Cart,
  options: {
    locationId: number | undefined;
    active: boolean;
    online: boolean;
    limit?: number;
    /** Wait for the cart to settle before the first load too (the tile), not just later ones. */
    debounceFirst?: boolean;
    /** False when the cashier is not shown the items (the tile's count): not logged as shown. */
    record?: boolean;
  },
): SuggestionsState {
  const { locationId, active, online, limit, debounceFirst = false, record = true } = options;
  const [suggestions, setSuggestions] = useState<Suggestions>({ state: "loading" });
  const loaded = useRef(false);
  const loader = useMemo(
    () =>
      createLatestLoader<ReturnType<typeof suggestionsRequestFor>, Suggestions>({
        load: (request, signal) => fetchSuggestions(session, request, { signal }),
        onResult: (_key, result) => {
          loaded.current = true;
          setSuggestions(result);
        },
      }),
    [session],
  );
  useEffect(() => () => loader.dispose(), [loader]);

  const key = suggestionsKey(cart, locationId);
  // Read through a ref, not a dependency: a change of quantity alone must not ask again.
  const cartRef = useRef(cart);
  cartRef.current = cart;

  useEffect(() => {
    if (!active) return;
    if (!online) {
      loader.dispose();
      setSuggestions({ state: "offline", reason: "no internet" });
      return;
    }
    loader.request(
      key,
      suggestionsRequestFor(cartRef.current, locationId, limit, record),
      loaded.current || debounceFirst ? SUGGESTIONS_DEBOUNCE_MS : 0,
    );
  }, [loader, key, active, online, locationId, limit, debounceFirst, record]);

  return { suggestions, reload: () => loader.reload() };
}

/** How often a register re-reads the approvals waiting at its location. */
export const APPROVALS_REFRESH_MS = { modal: 5_000, tile: 15_000 } as const;

export type ApprovalsOverview =
  | { state: "loading" }
  | { state: "ready"; overview: ApprovalsOverviewResponse }
  | { state: "unavailable"; reason: string };

/**
 * The approvals view for this register (limits, requests waiting, approvers), re-read every
 * `refreshMs` while `active`. A failed read keeps the last good view: the count on a tile
 * should not flicker because one request was lost.
 */
export function useApprovalsOverview(
  session: SessionTokenSource,
  origin: () => Promise<RegisterOrigin>,
  options: { active: boolean; refreshMs: number },
): { overview: ApprovalsOverview; refresh: () => void } {
  const { active, refreshMs } = options;
  const [overview, setOverview] = useState<ApprovalsOverview>({ state: "loading" });
  const latest = useRef(0);
  const refresh = useCallback(() => {
    const run = ++latest.current;
    void origin()
      .then((where) => approvalsApi.overview(session, where))
      .then((result) => {
        if (run !== latest.current) return;
        if (result.kind === "ok") setOverview({ state: "ready", overview: result.body });
        else
          setOverview((previous) =>
            previous.state === "ready" ? previous : { state: "unavailable", reason: result.kind },
          );
      });
  }, [session, origin]);
  useEffect(() => {
    if (!active) return;
    const sequence = latest;
    refresh();
    const timer = setInterval(refresh, refreshMs);
    return () => {
      clearInterval(timer);
      sequence.current++;
    };
  }, [active, refresh, refreshMs]);
  return { overview, refresh };
}

export interface DeviceSource {
  getDeviceId(): Promise<string>;
}

/**
 * Where this register's requests come from: its location and staff member (from the POS
 * session; recorded, never trusted) and its device id (asked of POS once).
 */
export function useRegisterOrigin(
  device: DeviceSource,
  locationId: number | undefined,
  staffMemberId: number | undefined,
): () => Promise<RegisterOrigin> {
  const deviceId = useMemo(
    () =>
      device.getDeviceId().then(
        (id) => (id ? String(id).slice(0, 100) : null),
        () => null,
      ),
    [device],
  );
  return useCallback(
    async () => ({
      locationId: locationId ?? null,
      staffMemberId: staffMemberId ?? null,
      deviceId: await deviceId,
    }),
    [deviceId, locationId, staffMemberId],
  );
}
