/**
 * A manager approves (or declines) at this register: they pick their name and type their PIN,
 * on the keyboard or the on-screen pad. The PIN goes to the backend only (it is checked there),
 * is never stored, and the field is emptied after every attempt.
 */
import { useId, useState, type FormEvent } from "react";

export interface Approver {
  id: string;
  name: string;
}

const MAX_PIN = 10;
const MIN_PIN = 4;
const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

export function ManagerApproval({
  approvers,
  onDecide,
}: {
  approvers: Approver[];
  /** Resolves to the refusal to show (wrong PIN, locked…) or null when the decision was taken. */
  onDecide: (
    approverId: string,
    pin: string,
    decision: "approve" | "decline",
    reason: string,
  ) => Promise<string | null>;
}) {
  const [approverId, setApproverId] = useState(approvers[0]?.id ?? "");
  const [pin, setPin] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { approver: useId(), pin: useId(), pinHint: useId(), reason: useId() };
  const chosen = approvers.some((approver) => approver.id === approverId) ? approverId : (approvers[0]?.id ?? "");

  if (approvers.length === 0) {
    return (
      <p className="panel-message panel-message-warning">
        No manager can approve at this location yet. A manager needs to be enrolled in Register Copilot&apos;s approval
        settings first.
      </p>
    );
  }

  const type = (digit: string) => setPin((current) => (current.length < MAX_PIN ? current + digit : current));
  const decide = async (decision: "approve" | "decline") => {
    if (busy || pin.length < MIN_PIN || !chosen) return;
    setBusy(true);
    setError(null);
    const attempt = pin;
    setPin("");
    try {
      setError(await onDecide(chosen, attempt, decision, reason.trim()));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void decide("approve");
  };

  return (
    <form className="panel-approval" onSubmit={submit} aria-label="Manager approval">
      <div className="panel-approval-fields">
        <div className="panel-field">
          <label htmlFor={ids.approver}>Manager</label>
          <select
            id={ids.approver}
            className="panel-select"
            value={chosen}
            onChange={(event) => setApproverId(event.target.value)}
          >
            {approvers.map((approver) => (
              <option key={approver.id} value={approver.id}>
                {approver.name}
              </option>
            ))}
          </select>
        </div>
        <div className="panel-field">
          <label htmlFor={ids.pin}>Manager PIN</label>
          <input
            id={ids.pin}
            className="panel-input panel-pin-input"
            type="password"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete="off"
            value={pin}
            maxLength={MAX_PIN}
            onChange={(event) => setPin(event.target.value.replace(/\D/g, "").slice(0, MAX_PIN))}
            aria-describedby={ids.pinHint}
          />
          <p id={ids.pinHint} className="panel-hint">
            {MIN_PIN} to {MAX_PIN} digits. The manager types it; it is not kept.
          </p>
        </div>
        <div className="panel-field">
          <label htmlFor={ids.reason}>Reason for a decline (optional)</label>
          <input
            id={ids.reason}
            className="panel-input"
            value={reason}
            maxLength={200}
            autoComplete="off"
            onChange={(event) => setReason(event.target.value)}
          />
        </div>
        {error ? (
          <p className="panel-message panel-message-critical" role="alert">
            {error}
          </p>
        ) : null}
        <div className="panel-actions">
          <button type="submit" className="panel-button panel-button-primary" disabled={busy || pin.length < MIN_PIN}>
            {busy ? "Checking…" : "Approve"}
          </button>
          <button
            type="button"
            className="panel-button panel-button-critical"
            disabled={busy || pin.length < MIN_PIN}
            onClick={() => void decide("decline")}
          >
            Decline
          </button>
        </div>
      </div>
      <div className="panel-pinpad" role="group" aria-label="PIN pad">
        {KEYS.map((digit) => (
          <button key={digit} type="button" className="panel-key" onClick={() => type(digit)} disabled={busy}>
            {digit}
          </button>
        ))}
        <button type="button" className="panel-key panel-key-small" onClick={() => setPin("")} disabled={busy}>
          Clear
        </button>
        <button type="button" className="panel-key" onClick={() => type("0")} disabled={busy}>
          0
        </button>
        <button
          type="button"
          className="panel-key panel-key-small"
          aria-label="Delete last digit"
          onClick={() => setPin((current) => current.slice(0, -1))}
          disabled={busy}
        >
          ⌫
        </button>
      </div>
    </form>
  );
}
