/** @jsxImportSource preact */
import type { Connection } from "../backend";
import { formatRelativeTime } from "../format";
import type { SectionContext, Translate } from "./types";

type Tone = "success" | "critical" | "warning" | "info" | "neutral";

const BADGES: Record<Connection["state"], { key: string; tone: Tone }> = {
  checking: { key: "connection.checking", tone: "neutral" },
  ready: { key: "connection.connected", tone: "success" },
  "not-set-up": { key: "connection.notSetUp", tone: "warning" },
  paused: { key: "connection.paused", tone: "warning" },
  "no-permission": { key: "connection.noPermission", tone: "warning" },
  unauthorized: { key: "connection.unauthorized", tone: "critical" },
  offline: { key: "connection.offline", tone: "critical" },
};

const KNOWN_BACKFILL_STATUSES = new Set(["pending", "running", "completed", "failed"]);

/** Whether the copilot can help at this register, and if not, what the cashier can do. */
export function ConnectionSection({ connection, refreshConnection, translate: t }: SectionContext) {
  const badge = BADGES[connection.state];
  return (
    <s-section heading={t("connection.heading")}>
      <s-stack direction="block" gap="small">
        <s-stack direction="inline" gap="small" alignItems="center">
          <s-badge tone={badge.tone}>{t(badge.key)}</s-badge>
          {"status" in connection ? (
            <s-text color="subdued">
              {t("connection.shopLine", {
                shop: connection.status.shop.name ?? connection.status.shop.domain,
                currency: connection.status.shop.currency,
              })}
            </s-text>
          ) : null}
        </s-stack>
        <Details connection={connection} t={t} />
        {connection.state === "checking" ? null : (
          <s-button variant="secondary" onClick={refreshConnection}>
            {t("connection.retry")}
          </s-button>
        )}
      </s-stack>
    </s-section>
  );
}

function Details({ connection, t }: { connection: Connection; t: Translate }) {
  switch (connection.state) {
    case "checking":
      return null;
    case "ready":
      return <StatusFacts status={connection.status} t={t} />;
    case "paused":
      return (
        <s-banner heading={t("connection.pausedTitle")} tone="warning">
          <s-text>{t("connection.pausedBody")}</s-text>
        </s-banner>
      );
    case "not-set-up":
      return (
        <s-banner heading={t("connection.notSetUpTitle")} tone="warning">
          <s-text>{t("connection.notSetUpBody")}</s-text>
        </s-banner>
      );
    case "no-permission":
      return (
        <s-banner heading={t("connection.noPermissionTitle")} tone="warning">
          <s-text>{t("connection.noPermissionBody")}</s-text>
        </s-banner>
      );
    case "unauthorized":
      return (
        <s-banner heading={t("connection.unauthorizedTitle")} tone="critical">
          <s-text>{t("connection.unauthorizedBody", { status: connection.httpStatus })}</s-text>
        </s-banner>
      );
    case "offline":
      return (
        <s-banner heading={t("connection.offlineTitle")} tone="critical">
          <s-text>{t("connection.offlineBody", { reason: connection.reason })}</s-text>
        </s-banner>
      );
  }
}

function StatusFacts({ status, t }: { status: Extract<Connection, { state: "ready" }>["status"]; t: Translate }) {
  const backfill = status.backfill;
  return (
    <s-stack direction="block" gap="small-300">
      <s-text>{t("connection.catalog", { count: status.catalog.products })}</s-text>
      <s-text>
        {status.lastOrderAt
          ? t("connection.lastOrder", { when: formatRelativeTime(status.lastOrderAt) })
          : t("connection.noOrders")}
      </s-text>
      {backfill ? (
        <s-text color="subdued">
          {t("connection.backfill", {
            count: backfill.ordersImported,
            status: KNOWN_BACKFILL_STATUSES.has(backfill.status)
              ? t(`connection.backfillStatus.${backfill.status}`)
              : backfill.status,
          })}
        </s-text>
      ) : null}
    </s-stack>
  );
}
