/** @jsxImportSource preact */
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ApprovalsOverviewResponse } from "../../../../shared/pos-contract";
import { cartOfSale, type RegisterSale } from "../client-api";
import type { RegisterSession } from "../messages";
import { createWorkerApi, type SendToWorker } from "../worker-api";
import { CustomerSection } from "./CustomerSection";
import { DiscountSection } from "./DiscountSection";
import { ReturnsSection } from "./ReturnsSection";
import type { SaleFeed } from "./sale-feed";
import { SuggestionsSection } from "./SuggestionsSection";
import type { RegisterTarget, SectionProps } from "./types";
import { NOTICES } from "./words";

type Connection =
  | { state: "checking" }
  | { state: "not-paired"; notice: string }
  | { state: "refused"; message: string }
  | { state: "ready"; registerSession: RegisterSession };

/** While the backend cannot be reached, how often the panel tries again on its own. */
const RETRY_MS = 15_000;

export type PanelSide = "left" | "right";

/** Where the cashier last put the panel (kept in the extension's storage, per browser profile). */
export interface PanelPreferences {
  side(): Promise<PanelSide | null>;
  setSide(side: PanelSide): Promise<void>;
}

export interface PanelProps {
  feed: SaleFeed;
  send: SendToWorker;
  register: RegisterTarget;
  preferences: PanelPreferences;
}

/**
 * The compact panel over the Web Register: which store and location it is paired with, the
 * connection in plain words, and the sections for the sale the register reports.
 */
export function Panel({ feed, send, register, preferences }: PanelProps) {
  const [connection, setConnection] = useState<Connection>({ state: "checking" });
  // Bottom right by default; the register's own buttons may be there, so the cashier can move it.
  const [side, setSide] = useState<PanelSide>("right");
  const [reachable, setReachable] = useState(true);
  const [sale, setSale] = useState<RegisterSale | null>(feed.current());
  const [outletId, setOutletId] = useState<string | null>(feed.outletId());
  const [open, setOpen] = useState(true);
  const [announcement, setAnnouncement] = useState("");
  const [overview, setOverview] = useState<ApprovalsOverviewResponse | null>(null);

  const api = useMemo(
    () =>
      createWorkerApi(send, {
        onUnpaired: (message) => setConnection({ state: "not-paired", notice: message }),
        onReachable: setReachable,
      }),
    [send],
  );

  const connecting = useRef(false);
  const connect = useCallback(async () => {
    if (connecting.current) return;
    connecting.current = true;
    try {
      const result = await api.session();
      switch (result.kind) {
        case "ok":
          setConnection({ state: "ready", registerSession: result.body });
          return;
        case "unpaired":
          return; // onUnpaired has said so
        case "offline":
          // Keep what is on screen; the notice says the copilot can't be reached.
          setConnection((current) => (current.state === "checking" ? { state: "checking" } : current));
          return;
        case "refused":
          setConnection({ state: "refused", message: result.message });
          return;
        default:
          setConnection({ state: "not-paired", notice: NOTICES.notPaired });
      }
    } finally {
      connecting.current = false;
    }
  }, [api]);

  useEffect(() => {
    void connect();
  }, [connect]);

  useEffect(
    () =>
      feed.subscribe(() => {
        setSale(feed.current());
        setOutletId(feed.outletId());
      }),
    [feed],
  );

  useEffect(() => {
    preferences.side().then(
      (saved) => saved && setSide(saved),
      () => undefined,
    );
  }, [preferences]);
  const move = () => {
    const next = side === "right" ? "left" : "right";
    setSide(next);
    void preferences.setSide(next).catch(() => undefined);
  };

  // Offline, or not yet connected: try again now and then. Not paired (or offline): look again
  // whenever the sale changes and when the cashier comes back to the register's tab (say, from
  // pairing it in the extension's options).
  const settled = connection.state === "ready" && reachable;
  const settledNow = useRef(settled);
  settledNow.current = settled;
  useEffect(() => {
    if (settled || connection.state === "not-paired") return;
    const timer = setInterval(() => void connect(), RETRY_MS);
    return () => clearInterval(timer);
  }, [settled, connection.state, connect]);
  useEffect(() => {
    if (!settledNow.current) void connect();
  }, [sale, connect]);
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === "visible" && !settledNow.current) void connect();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [connect]);

  const ready = connection.state === "ready" ? connection.registerSession : null;
  const paused = ready?.status.paused ?? false;
  // The Web Register sells at another outlet than the one this register was paired with: its
  // stock, limits and approvals would be the other location's, so the panel offers nothing.
  const otherOutlet = Boolean(ready && outletId && outletId !== ready.session.location.externalId);
  const currency = ready?.session.shop.currency ?? null;

  const refreshOverview = useCallback(async () => {
    const result = await api.approvals.overview({});
    if (result.kind === "ok") setOverview(result.body);
  }, [api]);
  useEffect(() => {
    if (ready && !paused) void refreshOverview();
  }, [ready, paused, refreshOverview]);

  const cart = useMemo(() => (sale && currency ? cartOfSale(sale, currency) : null), [sale, currency]);

  const where = ready
    ? `${ready.session.shop.name ?? ready.session.shop.domain} · ${ready.session.location.name ?? ready.session.location.externalId}`
    : null;

  const section: SectionProps | null =
    ready && currency && !paused && !otherOutlet
      ? { api, cart, currency, register, announce: setAnnouncement, overview, refreshOverview }
      : null;

  return (
    <div
      class={`rc${open ? "" : " rc-collapsed"}${side === "left" ? " rc-left" : ""}`}
      role="complementary"
      aria-label="Register Copilot"
    >
      <div class="rc-header">
        <h2 class="rc-title">
          Register Copilot
          {where && open && <span class="rc-where">{where}</span>}
        </h2>
        {open && (
          <button type="button" onClick={move}>
            {side === "right" ? "Move left" : "Move right"}
            <span class="rc-visually-hidden"> the copilot</span>
          </button>
        )}
        <button type="button" aria-expanded={open} aria-controls="rc-body" onClick={() => setOpen((value) => !value)}>
          {open ? "Hide" : "Show"}
          <span class="rc-visually-hidden"> copilot</span>
        </button>
      </div>
      <p class="rc-visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      <div class="rc-body" id="rc-body" hidden={!open}>
        <ConnectionNotice
          connection={connection}
          reachable={reachable}
          paused={paused}
          otherOutlet={otherOutlet ? (ready?.session.location.name ?? ready?.session.location.externalId ?? "") : null}
          onPair={() => void api.openOptions()}
          onRetry={() => void connect()}
        />
        {section && (
          <>
            <SuggestionsSection {...section} />
            <CustomerSection {...section} />
            <DiscountSection {...section} />
            <ReturnsSection {...section} />
          </>
        )}
      </div>
    </div>
  );
}

function ConnectionNotice(props: {
  connection: Connection;
  reachable: boolean;
  paused: boolean;
  /** The paired location's name, when the register sells at another outlet. */
  otherOutlet: string | null;
  onPair: () => void;
  onRetry: () => void;
}) {
  const { connection } = props;
  if (connection.state === "not-paired") {
    return (
      <div class="rc-notice rc-critical" role="status">
        <p>{connection.notice}</p>
        <p>{NOTICES.howToPair}</p>
        <button type="button" class="rc-primary" onClick={props.onPair}>
          Pair this register
        </button>
      </div>
    );
  }
  if (!props.reachable) {
    return (
      <div class="rc-notice rc-critical" role="status">
        <p>{NOTICES.offline}</p>
        <button type="button" onClick={props.onRetry}>
          Try again
        </button>
      </div>
    );
  }
  if (connection.state === "checking") {
    return (
      <p class="rc-muted" role="status">
        {NOTICES.checking}
      </p>
    );
  }
  if (connection.state === "refused") {
    return (
      <div class="rc-notice rc-critical" role="status">
        <p>Register Copilot refused this register: {connection.message}</p>
      </div>
    );
  }
  if (props.otherOutlet !== null) {
    return (
      <div class="rc-notice rc-critical" role="status">
        <p>
          This register is paired with {props.otherOutlet}, but the Web Register is selling at another outlet. Pair it
          again with a code for this outlet.
        </p>
        <button type="button" class="rc-primary" onClick={props.onPair}>
          Pair this register
        </button>
      </div>
    );
  }
  if (props.paused) {
    return (
      <p class="rc-notice" role="status">
        {NOTICES.paused}
      </p>
    );
  }
  return null;
}
