/**
 * The requests waiting for a manager, live: polled every few seconds through react-query, so a
 * manager in the admin sees a register's request appear and can approve or decline it with
 * their own PIN. Decisions go to the approvals page's action (intent "decide").
 */
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { formatMoney } from "../../shared/money";
import type { PendingApproval } from "../../shared/pos-contract";

export const PENDING_QUERY_KEY = ["approvals", "pending"] as const;
const DECIDE_FETCHER = "approvals-decide";
const POLL_MS = 3_000;

interface Approver {
  id: string;
  name: string;
  locations: string[];
}

type DecideResult = { done?: string; fieldErrors?: Record<string, string>; requestId?: string };

async function fetchPending(): Promise<PendingApproval[]> {
  const response = await fetch("/app/approvals/pending", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`Could not load waiting requests (HTTP ${response.status})`);
  return ((await response.json()) as { pending: PendingApproval[] }).pending;
}

export function PendingApprovalsCard({
  initial,
  approvers,
  locationName,
  currency,
}: {
  initial: PendingApproval[];
  approvers: Approver[];
  locationName: (id: string | null) => string;
  currency: string;
}) {
  const query = useQuery({
    queryKey: PENDING_QUERY_KEY,
    queryFn: fetchPending,
    initialData: initial,
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
  });
  const pending = query.data;
  // A decided request leaves the list (the poll may drop it before its row sees the answer), so
  // the card, which stays mounted, reads the decision from the rows' shared fetcher.
  const decision = useFetcher<DecideResult>({ key: DECIDE_FETCHER });
  const queryClient = useQueryClient();
  const [lastDecision, setLastDecision] = useState<string | null>(null);
  useEffect(() => {
    if (decision.state !== "idle" || !decision.data?.done) return;
    setLastDecision(decision.data.done);
    void queryClient.invalidateQueries({ queryKey: PENDING_QUERY_KEY });
  }, [decision.state, decision.data, queryClient]);
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Waiting for a manager ({pending.length})
          </Text>
          <Text as="span" tone="subdued">
            {query.isError ? "Not updating: the app cannot be reached" : "Updates live"}
          </Text>
        </InlineStack>
        {lastDecision ? <Banner tone="success" title={lastDecision} onDismiss={() => setLastDecision(null)} /> : null}
        {pending.length === 0 ? (
          <Text as="p" tone="subdued">
            Nothing is waiting.
          </Text>
        ) : (
          pending.map((request) => (
            <PendingRequest
              key={request.id}
              request={request}
              approvers={approvers.filter(
                (a) =>
                  a.locations.length === 0 || (request.locationId !== null && a.locations.includes(request.locationId)),
              )}
              locationName={locationName}
              currency={currency}
            />
          ))
        )}
      </BlockStack>
    </Card>
  );
}

function PendingRequest({
  request,
  approvers,
  locationName,
  currency,
}: {
  request: PendingApproval;
  approvers: Approver[];
  locationName: (id: string | null) => string;
  currency: string;
}) {
  const fetcher = useFetcher<DecideResult>({ key: DECIDE_FETCHER });
  const [approverId, setApproverId] = useState(approvers[0]?.id ?? "");
  const [pin, setPin] = useState("");
  const [reason, setReason] = useState("");
  // One fetcher serves every row: this row shows only answers about its own request.
  const mine = fetcher.data?.requestId === request.id;
  const errors = (mine && fetcher.data?.fieldErrors) || {};
  const busy = fetcher.state !== "idle" && fetcher.formData?.get("requestId") === request.id;
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency: request.currency || currency });

  // A PIN is never left in the field after an answer.
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.requestId === request.id) setPin("");
  }, [fetcher.state, fetcher.data, request.id]);

  const decide = (decision: "approve" | "decline") =>
    fetcher.submit(
      { intent: "decide", requestId: request.id, decision, approverId, pin, reason },
      { method: "post", action: "/app/approvals" },
    );

  const what =
    request.kind === "return"
      ? `Return: ${money(request.amountMinor)} refund`
      : request.discount.kind === "percent"
        ? `${request.discount.value}% off (${money(request.amountMinor)})`
        : `${money(request.amountMinor)} off`;

  return (
    <form onSubmit={(event) => (event.preventDefault(), decide("approve"))}>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center" wrap>
          <BlockStack gap="050">
            <Text as="p" variant="bodyMd" fontWeight="semibold">
              {request.kind === "return" ? what : `${what} on a ${money(request.subtotalMinor)} cart`}
            </Text>
            <Text as="p" tone="subdued">
              {locationName(request.locationId)} · {request.reasonCode.replace(/_/g, " ")}
              {request.note ? ` · “${request.note}”` : ""} · over the {request.triggers.join(" and ")} limit · asked{" "}
              {new Date(request.createdAt).toLocaleTimeString()}
            </Text>
          </BlockStack>
        </InlineStack>
        {errors.form ? <Banner tone="critical" title={errors.form} /> : null}
        {approvers.length === 0 ? (
          <Text as="p" tone="caution">
            No manager is enrolled for this location: enrol one below.
          </Text>
        ) : (
          <InlineStack gap="300" blockAlign="end" wrap>
            <Select
              label="Approver"
              options={approvers.map((a) => ({ label: a.name, value: a.id }))}
              value={approverId}
              onChange={setApproverId}
              error={errors.approverId}
            />
            <TextField
              label="Your PIN"
              type="password"
              inputMode="numeric"
              value={pin}
              onChange={setPin}
              error={errors.pin}
              autoComplete="off"
            />
            <TextField
              label="Reason (for a decline)"
              value={reason}
              onChange={setReason}
              error={errors.reason}
              autoComplete="off"
            />
            <Button submit variant="primary" loading={busy}>
              Approve
            </Button>
            <Button tone="critical" loading={busy} onClick={() => decide("decline")}>
              Decline
            </Button>
          </InlineStack>
        )}
      </BlockStack>
    </form>
  );
}
