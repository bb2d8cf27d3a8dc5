/** The register's calls to /api/pos/returns* (types only from shared/). */
import type {
  RegisterOrigin,
  ReturnApprovalResponse,
  ReturnCheckRequest,
  ReturnCheckResponse,
} from "../../../shared/pos-contract";
import { apiRequest, type ApiOptions } from "./approvals";
import type { SessionTokenSource } from "./backend";

export const returnsApi = {
  check: (session: SessionTokenSource, body: ReturnCheckRequest, options: ApiOptions = {}) =>
    apiRequest<ReturnCheckResponse>(session, "/api/pos/returns/check", { method: "POST", body }, options),

  requestApproval: (session: SessionTokenSource, checkId: string, origin: RegisterOrigin, options: ApiOptions = {}) =>
    apiRequest<ReturnApprovalResponse>(
      session,
      `/api/pos/returns/${encodeURIComponent(checkId)}/approval`,
      { method: "POST", body: origin },
      options,
    ),
};
