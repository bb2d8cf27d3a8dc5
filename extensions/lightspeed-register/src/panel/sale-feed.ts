/**
 * What the Web Register last reported, for the panel to follow: the sale (`sale:update`) and
 * the outlet it sells at (`outlet:set`).
 */
import type { RegisterSale } from "../client-api";

export interface SaleFeed {
  current(): RegisterSale | null;
  outletId(): string | null;
  publish(sale: RegisterSale): void;
  publishOutlet(outletId: string): void;
  subscribe(listener: () => void): () => void;
}

export function createSaleFeed(): SaleFeed {
  let current: RegisterSale | null = null;
  let outlet: string | null = null;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  return {
    current: () => current,
    outletId: () => outlet,
    publish(sale) {
      current = sale;
      notify();
    },
    publishOutlet(outletId) {
      outlet = outletId;
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
