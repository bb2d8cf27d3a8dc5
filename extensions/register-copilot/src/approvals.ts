/**
 * The register's side of manager approvals: the calls to /api/pos/approvals*, each reduced to
 * one result type the discount section can switch on. Types only from shared/ (no zod here).
 */
import type {
  ApprovalDecisionRequest,
  ApprovalDecisionResponse,
  ApprovalRedeemResponse,
  ApprovalsOverviewResponse,
  ApprovalStatusResponse,
  ApprovalTokenResponse,
  DiscountRequest,
  DiscountResponse,
  PosErrorResponse,
  RegisterOrigin,
} from "../../../shared/pos-contract";
import { APP_URL, callBackend, readJson, type SessionTokenSource } from "./backend";

/** One approvals call: the answer, the backend's refusal (with its code), or why it never got one. */
export type ApiResult<T> =
  | { kind: "ok"; body: T }
  | { kind: "refused"; httpStatus: number; code: string; message: string }
  | { kind: "no-permission" }
  | { kind: "unauthorized"; httpStatus: number }
  | { kind: "offline"; reason: string };

export interface ApiOptions {
  fetchImpl?: typeof fetch;
  appUrl?: string;
  signal?: AbortSignal;
}

export async function apiRequest<T>(
  session: SessionTokenSource,
  path: string,
  init: { method: "GET" | "POST"; body?: unknown },
  options: ApiOptions,
): Promise<ApiResult<T>> {
  const call = await callBackend(
    session,
    path,
    { ...init, signal: options.signal, refusalIsAnswer: true },
    options.fetchImpl ?? fetch,
    options.appUrl ?? APP_URL,
  );
  if (call.kind !== "answered") return call;
  const { response } = call;
  if (response.ok) {
    const body = await readJson<T>(response);
    return body === undefined ? { kind: "offline", reason: "unreadable answer" } : { kind: "ok", body };
  }
  if (response.status >= 500) return { kind: "offline", reason: `HTTP ${response.status}` };
  const error = (await readJson<PosErrorResponse>(response))?.error;
  return {
    kind: "refused",
    httpStatus: response.status,
    code: error?.code ?? "refused",
    message: error?.message ?? `HTTP ${response.status}`,
  };
}

const query = (origin: RegisterOrigin) => {
  const params = new URLSearchParams();
  if (origin.locationId != null) params.set("locationId", String(origin.locationId));
  if (origin.deviceId) params.set("deviceId", origin.deviceId);
  const text = params.toString();
  return text ? `?${text}` : "";
};

const id = (requestId: string) => encodeURIComponent(requestId);

export const approvalsApi = {
  overview: (session: SessionTokenSource, origin: RegisterOrigin, options: ApiOptions = {}) =>
    apiRequest<ApprovalsOverviewResponse>(session, `/api/pos/approvals${query(origin)}`, { method: "GET" }, options),

  askForDiscount: (session: SessionTokenSource, body: DiscountRequest, options: ApiOptions = {}) =>
    apiRequest<DiscountResponse>(session, "/api/pos/approvals", { method: "POST", body }, options),

  status: (session: SessionTokenSource, requestId: string, origin: RegisterOrigin, options: ApiOptions = {}) =>
    apiRequest<ApprovalStatusResponse>(
      session,
      `/api/pos/approvals/${id(requestId)}${query({ deviceId: origin.deviceId })}`,
      { method: "GET" },
      options,
    ),

  decide: (session: SessionTokenSource, requestId: string, body: ApprovalDecisionRequest, options: ApiOptions = {}) =>
    apiRequest<ApprovalDecisionResponse>(
      session,
      `/api/pos/approvals/${id(requestId)}/decision`,
      { method: "POST", body },
      options,
    ),

  collectToken: (session: SessionTokenSource, requestId: string, origin: RegisterOrigin, options: ApiOptions = {}) =>
    apiRequest<ApprovalTokenResponse>(
      session,
      `/api/pos/approvals/${id(requestId)}/token`,
      { method: "POST", body: origin },
      options,
    ),

  redeem: (
    session: SessionTokenSource,
    requestId: string,
    body: RegisterOrigin & { token: string; cartFingerprint: string },
    options: ApiOptions = {},
  ) =>
    apiRequest<ApprovalRedeemResponse>(
      session,
      `/api/pos/approvals/${id(requestId)}/redeem`,
      { method: "POST", body },
      options,
    ),

  void: (
    session: SessionTokenSource,
    requestId: string,
    body: RegisterOrigin & { reason: string },
    options: ApiOptions = {},
  ) =>
    apiRequest<{ status: "voided" }>(
      session,
      `/api/pos/approvals/${id(requestId)}/void`,
      { method: "POST", body },
      options,
    ),
};

/** The approvals calls with this register's session already bound. */
export function bindApprovalsApi(session: SessionTokenSource) {
  return {
    overview: (...rest: DropSession<typeof approvalsApi.overview>) => approvalsApi.overview(session, ...rest),
    askForDiscount: (...rest: DropSession<typeof approvalsApi.askForDiscount>) =>
      approvalsApi.askForDiscount(session, ...rest),
    status: (...rest: DropSession<typeof approvalsApi.status>) => approvalsApi.status(session, ...rest),
    decide: (...rest: DropSession<typeof approvalsApi.decide>) => approvalsApi.decide(session, ...rest),
    collectToken: (...rest: DropSession<typeof approvalsApi.collectToken>) =>
      approvalsApi.collectToken(session, ...rest),
    redeem: (...rest: DropSession<typeof approvalsApi.redeem>) => approvalsApi.redeem(session, ...rest),
    void: (...rest: DropSession<typeof approvalsApi.void>) => approvalsApi.void(session, ...rest),
  };
}

type DropSession<F> = F extends (session: SessionTokenSource, ...rest: infer A) => unknown ? A : never;
