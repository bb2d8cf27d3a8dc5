/**
 * First start on a register tablet: the one-time code from Register Copilot's console (Square and
 * Clover stores, /console) or the Shopify admin (Register Copilot →
 * Register panels) and a name for this register. The answer's credentials are stored; the
 * panel then runs on its own.
 */
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { PanelApiError, PanelNetworkError, pairPanel } from "../api-client";
import type { DeviceCredentials } from "../credentials";
import { formatPairingCode, isCompletePairingCode, normalizePairingCode, PAIRING_CODE_LENGTH } from "../pairing-code";

function pairingErrorText(error: unknown): string {
  if (error instanceof PanelNetworkError) {
    return "Can't reach the copilot. Check the tablet's connection and try again.";
  }
  if (error instanceof PanelApiError) {
    if (error.code === "invalid_code") {
      return "That code is unknown, already used or expired. Get a new code and type it here.";
    }
    return error.message;
  }
  return "Pairing failed. Try again.";
}

export function PairingScreen({
  notice,
  onPaired,
}: {
  /** Why the panel is back here (it was unpaired), shown above the form. */
  notice: string | null;
  onPaired: (credentials: DeviceCredentials) => void;
}) {
  const [code, setCode] = useState("");
  const [deviceName, setDeviceName] = useState("");
  const [touched, setTouched] = useState(false);
  const ids = { code: useId(), codeHint: useId(), name: useId(), nameHint: useId() };
  const pairing = useMutation({
    mutationFn: () => pairPanel({ code: normalizePairingCode(code), deviceName: deviceName.trim() }),
    networkMode: "always",
    onSuccess: (paired) => onPaired({ deviceId: paired.deviceId, deviceSecret: paired.deviceSecret }),
  });

  const codeIncomplete = !isCompletePairingCode(code);
  const nameMissing = deviceName.trim() === "";
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (codeIncomplete || nameMissing || pairing.isPending) return;
    pairing.mutate();
  };

  return (
    <main className="panel-pairing" aria-labelledby="pairing-heading">
      <div className="panel-card panel-pairing-card">
        <h1 id="pairing-heading">Pair this register</h1>
        <p className="panel-lead">
          Get a pairing code for this register&apos;s location in <strong>Register Copilot&apos;s console</strong>{" "}
          (Square and Clover stores) or in the Shopify admin under <strong>Register Copilot → Register panels</strong>,
          and type it here. A code works once, for 10 minutes.
        </p>
        {notice ? (
          <p className="panel-message panel-message-warning" role="status">
            {notice}
          </p>
        ) : null}
        <form onSubmit={submit} noValidate className="panel-form">
          <div className="panel-field">
            <label htmlFor={ids.code}>Pairing code</label>
            <input
              id={ids.code}
              className="panel-input panel-code-input"
              value={code}
              onChange={(event) => setCode(formatPairingCode(event.target.value))}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              inputMode="text"
              placeholder="XXXX-XXXX"
              aria-describedby={ids.codeHint}
              aria-invalid={touched && codeIncomplete}
              required
            />
            <p id={ids.codeHint} className="panel-hint">
              {touched && codeIncomplete
                ? `Type all ${PAIRING_CODE_LENGTH} characters of the code.`
                : "8 letters and digits, like ABCD-2345. Upper or lower case."}
            </p>
          </div>
          <div className="panel-field">
            <label htmlFor={ids.name}>Name of this register</label>
            <input
              id={ids.name}
              className="panel-input"
              value={deviceName}
              onChange={(event) => setDeviceName(event.target.value)}
              autoComplete="off"
              placeholder="Front register"
              maxLength={60}
              aria-describedby={ids.nameHint}
              aria-invalid={touched && nameMissing}
              required
            />
            <p id={ids.nameHint} className="panel-hint">
              {touched && nameMissing
                ? "Give this register a name, like Front register."
                : "Paired registers are listed by this name."}
            </p>
          </div>
          {pairing.isError ? (
            <p className="panel-message panel-message-critical" role="alert">
              {pairingErrorText(pairing.error)}
            </p>
          ) : null}
          <button
            type="submit"
            className="panel-button panel-button-primary panel-button-wide"
            disabled={pairing.isPending}
          >
            {pairing.isPending ? "Pairing…" : "Pair this register"}
          </button>
        </form>
      </div>
    </main>
  );
}
