/** @jsxImportSource preact */
/**
 * The extension's options page (and its toolbar popup): pair this register with a one-time code
 * from the store's Register Copilot console, see what it is paired with, forget the pairing.
 * Only this page may pair (src/messages.ts); the device secret never leaves the service worker.
 */
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { PanelPairResponse } from "../../../shared/panel-contract";
import type { ApiResult } from "../../register-copilot/src/approvals";
import { chromeApi } from "./chrome";
import type { LinkState, RegisterSession } from "./messages";
import type { LinkResult } from "./backend";

const CODE_LENGTH = 8;

/** As the cashier types: "abcd efgh" shows as "ABCD-EFGH" (the server normalizes the same way). */
export function formatPairingCode(text: string): string {
  const raw = text
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .slice(0, CODE_LENGTH);
  return raw.length > CODE_LENGTH / 2 ? `${raw.slice(0, CODE_LENGTH / 2)}-${raw.slice(CODE_LENGTH / 2)}` : raw;
}

export function pairingRefusalText(result: Exclude<ApiResult<unknown>, { kind: "ok" }>, appUrl: string): string {
  if (result.kind === "refused") {
    if (result.code === "invalid_code")
      return "That code is unknown, already used or expired. Get a new code and type it here.";
    if (result.code === "too_many_attempts") return "Too many tries. Wait a minute, then type the code again.";
    return result.message;
  }
  if (result.kind === "offline")
    return `Can't reach Register Copilot at ${appUrl}. Check the connection and try again.`;
  return "Register Copilot refused this pairing. Get a new code and try again.";
}

const send = (request: unknown) => chromeApi().runtime.sendMessage(request);

const CSS = `
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1c1d; background: #f6f6f7; }
main { max-width: 520px; min-width: 340px; margin: 0 auto; padding: 20px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.card { background: #fff; border: 1px solid #c9cccf; border-radius: 12px; padding: 16px; margin-top: 16px; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
input { font: inherit; width: 100%; box-sizing: border-box; min-height: 48px; padding: 0 12px; border: 1px solid #8a8f94; border-radius: 8px; }
input#code { font-size: 24px; letter-spacing: 0.12em; text-transform: uppercase; }
button { font: inherit; font-weight: 600; min-height: 48px; min-width: 48px; padding: 0 18px; margin-top: 16px; border-radius: 8px; border: 1px solid #8a8f94; background: #fff; cursor: pointer; }
button.primary { background: #005bd3; border-color: #005bd3; color: #fff; }
:focus-visible { outline: 3px solid #2c6ecb; outline-offset: 2px; }
.alert { color: #8e0b21; font-weight: 600; }
.notice { background: #fff5ea; border: 1px solid #b98900; border-radius: 8px; padding: 10px 12px; }
.muted { color: #5c6166; font-size: 14px; }
`;

function OptionsPage() {
  const [link, setLink] = useState<LinkState | null>(null);
  const [session, setSession] = useState<RegisterSession | null>(null);
  const [code, setCode] = useState("");
  const [name, setName] = useState("Lightspeed register");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const state = (await send({ kind: "link" })) as LinkState;
    setLink(state);
    if (!state.device) return setSession(null);
    const answer = (await send({ kind: "session" })) as LinkResult<RegisterSession>;
    if (answer.kind === "ok") setSession(answer.body);
    else if (answer.kind === "unpaired") await load();
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const pair = async (event: Event) => {
    event.preventDefault();
    if (code.replace("-", "").length !== CODE_LENGTH) return setError("Type the 8-character code from the console.");
    if (!name.trim()) return setError("Give this register a name, such as “Front counter”.");
    setBusy(true);
    setError(null);
    const result = (await send({ kind: "pair", code, deviceName: name.trim() })) as ApiResult<PanelPairResponse>;
    setBusy(false);
    if (result.kind !== "ok") return setError(pairingRefusalText(result, link?.appUrl ?? "the store"));
    setCode("");
    await load();
  };

  const forget = async () => {
    setLink((await send({ kind: "forget" })) as LinkState);
    setSession(null);
  };

  if (!link) return <p>Loading…</p>;
  return (
    <>
      <h1>Register Copilot for Lightspeed Retail</h1>
      <p class="muted">Suggestions, loyalty, returns and approvals beside the Web Register.</p>
      {link.device ? (
        <section class="card" aria-labelledby="paired-heading">
          <h2 id="paired-heading">This register is paired</h2>
          <p role="status" data-testid="paired-with">
            Paired as “{link.device.deviceName}” with{" "}
            {session
              ? `${session.session.shop.name ?? session.session.shop.domain} · ${session.session.location.name ?? session.session.location.externalId}`
              : `location ${link.device.location}`}
            .
          </p>
          <p class="muted">Open the Web Register: the copilot appears beside the sale.</p>
          {link.lastTokenRefusal && (
            <p class="muted" data-testid="last-refusal">
              Last refused sign-in: HTTP {link.lastTokenRefusal.status} {link.lastTokenRefusal.code} (
              {link.lastTokenRefusal.message}) at {new Date(link.lastTokenRefusal.at).toLocaleTimeString()}; a new one
              was asked for.
            </p>
          )}
          <button type="button" onClick={() => void forget()}>
            Forget this pairing
          </button>
          <p class="muted">
            Forgetting it here lets you pair this register again (for another outlet, say). The store unpairs it for
            good in its console.
          </p>
        </section>
      ) : (
        <section class="card" aria-labelledby="pair-heading">
          <h2 id="pair-heading">Pair this register</h2>
          {link.unpairedNotice && (
            <p class="notice" role="status">
              {link.unpairedNotice}
            </p>
          )}
          <p>
            In your store&apos;s Register Copilot console, choose the location and get a pairing code. Type it here
            within 10 minutes.
          </p>
          <form onSubmit={pair}>
            <label for="code">Pairing code</label>
            <input
              id="code"
              autocomplete="off"
              spellcheck={false}
              value={code}
              onInput={(event) => setCode(formatPairingCode((event.target as HTMLInputElement).value))}
            />
            <label for="name">Name of this register</label>
            <input
              id="name"
              autocomplete="off"
              maxLength={60}
              value={name}
              onInput={(event) => setName((event.target as HTMLInputElement).value)}
            />
            {error && (
              <p class="alert" role="alert">
                {error}
              </p>
            )}
            <button type="submit" class="primary" disabled={busy}>
              Pair this register
            </button>
          </form>
        </section>
      )}
      <p class="muted">Register Copilot at {link.appUrl}</p>
    </>
  );
}

const root = document.getElementById("root");
if (root) {
  const style = document.createElement("style");
  style.textContent = CSS;
  document.head.append(style);
  render(<OptionsPage />, root);
}
