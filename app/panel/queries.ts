/**
 * What the panel reads, through react-query: the session (header), the open orders (polled),
 * suggestions and loyalty for the shown order, the approvals overview and one request's status.
 * Every call goes through the panel's API client (Bearer token); the location and device come
 * from the token, never from the query or body.
 */
import { QueryClient, useQuery } from "@tanstack/react-query";
import type {
  PanelOrder,
  PanelOrdersResponse,
  PanelPosLoyaltyResponse,
  PanelSessionResponse,
} from "../../shared/panel-contract";
import { cartOfOrder } from "../../shared/panel-contract";
import type {
  ApprovalsOverviewResponse,
  LoyaltyViewResponse,
  PosStatusResponse,
  SuggestionsRequest,
  SuggestionsResponse,
} from "../../shared/pos-contract";
import { worthRetrying } from "./api-client";
import { usePanel } from "./connection";

export const ORDERS_POLL_MS = 3_000;

export const queryKeys = {
  session: ["panel", "session"] as const,
  status: ["pos", "status"] as const,
  orders: ["panel", "orders"] as const,
  suggestions: (lines: SuggestionsRequest["cart"]["lineItems"]) => ["pos", "suggestions", lines] as const,
  loyalty: (customerId: string, subtotalMinor: number) => ["pos", "loyalty", customerId, subtotalMinor] as const,
  posLoyalty: (customerId: string) => ["panel", "pos-loyalty", customerId] as const,
  approvals: ["pos", "approvals"] as const,
};

export function createPanelQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => failures < 3 && worthRetrying(error),
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}

export function useSession() {
  const { client } = usePanel();
  return useQuery({
    queryKey: queryKeys.session,
    queryFn: ({ signal }) => client.get<PanelSessionResponse>("/api/panel/session", signal),
    staleTime: 5 * 60_000,
  });
}

/** Whether the store paused the copilot at this location (checked every half minute). */
export function useRegisterStatus() {
  const { client } = usePanel();
  return useQuery({
    queryKey: queryKeys.status,
    queryFn: ({ signal }) => client.get<PosStatusResponse>("/api/pos/status", signal),
    refetchInterval: 30_000,
  });
}

export function useOpenOrders() {
  const { client } = usePanel();
  return useQuery({
    queryKey: queryKeys.orders,
    queryFn: ({ signal }) => client.get<PanelOrdersResponse>("/api/panel/orders", signal),
    refetchInterval: ORDERS_POLL_MS,
    // Keeps the last order on screen through a failed poll instead of blanking it.
    placeholderData: (previous) => previous,
  });
}

/** Suggestions for the order's lines: asked again when (and only when) the lines change. */
export function useSuggestions(order: PanelOrder | null) {
  const { client } = usePanel();
  const lineItems = order ? cartOfOrder(order).lineItems : [];
  return useQuery({
    queryKey: queryKeys.suggestions(lineItems),
    queryFn: ({ signal }) => {
      // The server's schema is strict: no subtotal or location (the token names the location).
      const body: SuggestionsRequest = { cart: { lineItems } };
      return client.post<SuggestionsResponse>("/api/pos/suggestions", body, signal);
    },
    enabled: lineItems.length > 0,
    staleTime: 10 * 60_000,
  });
}

export function useLoyalty(order: PanelOrder | null) {
  const { client } = usePanel();
  const customerId = order?.customerId ?? null;
  const subtotalMinor = order?.subtotalMinor ?? 0;
  return useQuery({
    queryKey: queryKeys.loyalty(customerId ?? "", subtotalMinor),
    queryFn: ({ signal }) =>
      client.get<LoyaltyViewResponse>(
        `/api/pos/loyalty/${encodeURIComponent(customerId ?? "")}?subtotalMinor=${subtotalMinor}`,
        signal,
      ),
    enabled: customerId !== null,
    staleTime: 60_000,
    placeholderData: (previous, query) => (query?.queryKey[2] === customerId ? previous : undefined),
  });
}

/** The customer's balance in the POS's own program (Square Loyalty); null where the store runs none. */
export function usePosLoyalty(order: PanelOrder | null) {
  const { client } = usePanel();
  const customerId = order?.customerId ?? null;
  return useQuery({
    queryKey: queryKeys.posLoyalty(customerId ?? ""),
    queryFn: ({ signal }) =>
      client.get<PanelPosLoyaltyResponse>(`/api/panel/pos-loyalty/${encodeURIComponent(customerId ?? "")}`, signal),
    enabled: customerId !== null,
    staleTime: 60_000,
  });
}

export function useApprovalsOverview() {
  const { client } = usePanel();
  return useQuery({
    queryKey: queryKeys.approvals,
    queryFn: ({ signal }) => client.get<ApprovalsOverviewResponse>("/api/pos/approvals", signal),
    staleTime: 60_000,
  });
}
