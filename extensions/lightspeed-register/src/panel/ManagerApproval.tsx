/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import type { PinOutcome } from "../../../register-copilot/src/approval-flow";
import { pinRefusalText } from "./words";

export interface Approver {
  id: string;
  name: string;
}

/**
 * A manager at this register approves or declines with their PIN (never shown, never kept).
 * A decision made elsewhere (the admin) reaches the flow by its own polling.
 */
export function ManagerApproval(props: {
  /** Prefix for the fields' ids: two of these may be on the panel at once. */
  idPrefix: string;
  approvers: Approver[];
  decide: (approverId: string, pin: string, decision: "approve" | "decline") => Promise<PinOutcome>;
  onApproved: () => void;
}) {
  const [approverId, setApproverId] = useState(props.approvers[0]?.id ?? "");
  const [pin, setPin] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (props.approvers.length === 0) {
    return (
      <p class="rc-muted">
        No manager can approve at this location here. A manager can approve it in the Register Copilot admin.
      </p>
    );
  }

  const decide = async (decision: "approve" | "decline") => {
    if (!/^\d{4,10}$/.test(pin)) return setError("Type the manager's PIN (4 to 10 digits).");
    setBusy(true);
    setError(null);
    const outcome = await props.decide(approverId || props.approvers[0]!.id, pin, decision);
    setBusy(false);
    setPin("");
    if (!outcome.accepted) return setError(pinRefusalText(outcome.code, outcome.message));
    if (decision === "approve") props.onApproved();
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void decide("approve");
      }}
      aria-label="Manager approval"
    >
      <div class="rc-field">
        <label for={`${props.idPrefix}-manager`}>Manager</label>
        <select
          id={`${props.idPrefix}-manager`}
          value={approverId}
          onChange={(event) => setApproverId((event.target as HTMLSelectElement).value)}
        >
          {props.approvers.map((approver) => (
            <option key={approver.id} value={approver.id}>
              {approver.name}
            </option>
          ))}
        </select>
      </div>
      <div class="rc-field">
        <label for={`${props.idPrefix}-pin`}>Manager PIN</label>
        <input
          id={`${props.idPrefix}-pin`}
          type="password"
          inputMode="numeric"
          autocomplete="off"
          maxLength={10}
          value={pin}
          onInput={(event) => setPin((event.target as HTMLInputElement).value.replace(/\D/g, ""))}
        />
      </div>
      {error && (
        <p class="rc-alert" role="alert">
          {error}
        </p>
      )}
      <div class="rc-actions">
        <button type="submit" class="rc-primary" disabled={busy}>
          Approve
        </button>
        <button type="button" disabled={busy} onClick={() => void decide("decline")}>
          Decline
        </button>
      </div>
    </form>
  );
}
