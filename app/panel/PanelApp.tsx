/**
 * The companion register panel (Square and Clover stores): pairing on first start, then the
 * paired panel. The device credentials are in localStorage; everything else is in memory.
 */
import { QueryClientProvider } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { createPanelClient } from "./api-client";
import { PanelProvider, useBrowserOnline, useReachability } from "./connection";
import { clearCredentials, readCredentials, writeCredentials, type DeviceCredentials } from "./credentials";
import { PairingScreen } from "./components/PairingScreen";
import { RegisterScreen } from "./components/RegisterScreen";
import { createPanelQueryClient } from "./queries";
import { registerPanelServiceWorker } from "./service-worker";

export const UNPAIRED_NOTICE =
  "This register is no longer paired with the store (it was unpaired, or its pairing is no longer valid). Pair it again with a new code.";

type Stage =
  | { kind: "starting" }
  | { kind: "pairing"; notice: string | null }
  | { kind: "paired"; credentials: DeviceCredentials };

export function PanelApp() {
  const [queryClient] = useState(createPanelQueryClient);
  const [stage, setStage] = useState<Stage>({ kind: "starting" });

  useEffect(() => {
    const credentials = readCredentials(window.localStorage);
    setStage(credentials ? { kind: "paired", credentials } : { kind: "pairing", notice: null });
    registerPanelServiceWorker();
  }, []);

  const paired = useCallback((credentials: DeviceCredentials) => {
    writeCredentials(window.localStorage, credentials);
    setStage({ kind: "paired", credentials });
  }, []);

  const unpaired = useCallback(() => {
    clearCredentials(window.localStorage);
    queryClient.clear();
    setStage({ kind: "pairing", notice: UNPAIRED_NOTICE });
  }, [queryClient]);

  return (
    <QueryClientProvider client={queryClient}>
      {stage.kind === "starting" ? (
        <main className="panel-starting" aria-busy="true">
          <p>Starting the register panel…</p>
          <noscript>
            <p>The register panel needs JavaScript. Turn it on in this browser&apos;s settings.</p>
          </noscript>
        </main>
      ) : stage.kind === "pairing" ? (
        <PairingScreen notice={stage.notice} onPaired={paired} />
      ) : (
        <PairedPanel credentials={stage.credentials} onUnpaired={unpaired} />
      )}
    </QueryClientProvider>
  );
}

function PairedPanel({ credentials, onUnpaired }: { credentials: DeviceCredentials; onUnpaired: () => void }) {
  const online = useBrowserOnline();
  const { reachable, report } = useReachability();
  const client = useMemo(
    () => createPanelClient({ credentials, onUnpaired, onReachable: report }),
    [credentials, onUnpaired, report],
  );
  useEffect(() => () => client.dispose(), [client]);
  const offline = !online || !reachable;
  return (
    <PanelProvider client={client} offline={offline}>
      <RegisterScreen offline={offline} />
    </PanelProvider>
  );
}
