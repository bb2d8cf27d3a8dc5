/**
 * Which store and location this register panel works for, and the offline notice: shown while
 * the tablet is offline or the copilot does not answer, gone when calls get through again.
 */
import { PanelApiError } from "../api-client";
import { platformName } from "../discount-form";
import { useSession } from "../queries";

export const OFFLINE_TEXT =
  "Offline — the copilot can't reach the store. Suggestions and approvals resume when the connection is back.";

export function PanelHeader({ offline }: { offline: boolean }) {
  const session = useSession();
  const data = session.data;
  return (
    <header className="panel-header">
      <div className="panel-header-bar">
        <div className="panel-header-title">
          <h1>Register Copilot</h1>
          <p className="panel-header-where">
            {data ? (
              <>
                <span>{data.shop.name ?? data.shop.domain}</span>
                <span aria-hidden="true"> · </span>
                <span>{data.location.name ?? data.location.externalId}</span>
                <span aria-hidden="true"> · </span>
                <span>{platformName(data.shop.platform)}</span>
              </>
            ) : session.isError && !offline ? (
              <span>
                Store details unavailable
                {session.error instanceof PanelApiError ? ` (${session.error.message})` : ""}
              </span>
            ) : (
              <span>Connecting to the store…</span>
            )}
          </p>
        </div>
        <p className={`panel-connection ${offline ? "panel-connection-off" : "panel-connection-on"}`}>
          <span className="panel-connection-dot" aria-hidden="true" />
          {offline ? "Offline" : "Connected"}
        </p>
      </div>
      {/* Always in the page, so the change is announced when the notice appears. */}
      <div role="status" className="panel-offline-region">
        {offline ? <p className="panel-offline">{OFFLINE_TEXT}</p> : null}
      </div>
    </header>
  );
}
