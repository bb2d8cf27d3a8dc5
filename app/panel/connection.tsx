/**
 * Whether the panel can reach the store's copilot: the browser's own online flag, and whether
 * the last call got an answer. Either one false shows the offline notice.
 */
import { createContext, useContext, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import type { PanelClient } from "./api-client";

function subscribeOnline(onChange: () => void) {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
}

/** navigator.onLine, live; true on the server (the page is drawn online). */
export function useBrowserOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  );
}

/** The last call's outcome, and a (stable) setter for the API client to report to. */
export function useReachability() {
  const [reachable, report] = useState(true);
  return { reachable, report };
}

interface PanelContextValue {
  client: PanelClient;
  offline: boolean;
}

const PanelContext = createContext<PanelContextValue | null>(null);

export function PanelProvider({
  client,
  offline,
  children,
}: {
  client: PanelClient;
  offline: boolean;
  children: ReactNode;
}) {
  const value = useMemo(() => ({ client, offline }), [client, offline]);
  return <PanelContext.Provider value={value}>{children}</PanelContext.Provider>;
}

export function usePanel(): PanelContextValue {
  const value = useContext(PanelContext);
  if (!value) throw new Error("usePanel outside PanelProvider");
  return value;
}
