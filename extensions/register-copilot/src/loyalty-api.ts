/** The register's calls to /api/pos/loyalty* (types only from shared/). */
import type {
  CustomerSearchResponse,
  LoyaltyRedeemRequest,
  LoyaltyRedeemResponse,
  LoyaltyViewResponse,
  RegisterOrigin,
} from "../../../shared/pos-contract";
import { apiRequest, type ApiOptions } from "./approvals";
import type { SessionTokenSource } from "./backend";

export const loyaltyApi = {
  view: (
    session: SessionTokenSource,
    customerId: number,
    origin: RegisterOrigin,
    subtotalMinor: number,
    options: ApiOptions = {},
  ) => {
    const query = new URLSearchParams({ subtotalMinor: String(Math.max(0, Math.round(subtotalMinor))) });
    if (origin.locationId != null) query.set("locationId", String(origin.locationId));
    if (origin.deviceId) query.set("deviceId", origin.deviceId);
    return apiRequest<LoyaltyViewResponse>(
      session,
      `/api/pos/loyalty/${encodeURIComponent(String(customerId))}?${query}`,
      { method: "GET" },
      options,
    );
  },

  redeem: (session: SessionTokenSource, body: LoyaltyRedeemRequest, options: ApiOptions = {}) =>
    apiRequest<LoyaltyRedeemResponse>(session, "/api/pos/loyalty/redeem", { method: "POST", body }, options),

  searchCustomers: (session: SessionTokenSource, query: string, options: ApiOptions = {}) =>
    apiRequest<CustomerSearchResponse>(
      session,
      `/api/pos/customers?${new URLSearchParams({ q: query })}`,
      { method: "GET" },
      options,
    ),

  release: (session: SessionTokenSource, body: RegisterOrigin & { reservationId: string }, options: ApiOptions = {}) =>
    apiRequest<{ released: boolean }>(session, "/api/pos/loyalty/release", { method: "POST", body }, options),
};
