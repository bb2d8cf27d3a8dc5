/**
 * Admin: what the copilot did, for a date range and location — suggestions shown and added,
 * attributed revenue, approvals by outcome and staff member, returns by verdict and reason, and
 * loyalty points earned and redeemed. Charts (polaris-viz, ADR 0009) with the same numbers in
 * tables beside them.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import {
  BlockStack,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { lazy, Suspense, useEffect, useState } from "react";
import { z } from "zod";
import { requireAdminShop } from "../admin-auth.server";
import { getDb } from "../db.server";
import { analyticsFor } from "../services/analytics.server";
import { formatMoney } from "../../shared/money";
import type { ChartName } from "../components/AnalyticsCharts";

export const meta: MetaFunction = () => [{ title: "Analytics · Register Copilot" }];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

// Charts measure the page, so they render in the browser only; the server draws their cards and
// titles at their final size, so the text paints at once and nothing moves when a chart arrives.
const Chart = lazy(() => import("../components/AnalyticsCharts"));

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const DAY = 86_400_000;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminShop(request);
  const params = new URL(request.url).searchParams;
  const today = new Date(new Date().toISOString().slice(0, 10));
  const from = isoDay.safeParse(params.get("from")).success
    ? new Date(params.get("from")!)
    : new Date(today.getTime() - 29 * DAY);
  const toDay = isoDay.safeParse(params.get("to")).success ? new Date(params.get("to")!) : today;
  if (
    Number.isNaN(from.getTime()) ||
    Number.isNaN(toDay.getTime()) ||
    toDay < from ||
    toDay.getTime() - from.getTime() > 366 * DAY
  ) {
    throw new Response("from/to: a range of up to a year, from before to", { status: 400 });
  }
  const location = params.get("location") ?? "";
  const locationExternalId = shop.locations.some((l) => l.externalId === location) ? location : null;
  const analytics = await analyticsFor(getDb(), shop.id, {
    from,
    to: new Date(toDay.getTime() + DAY),
    location: locationExternalId,
  });
  return {
    currency: shop.currency,
    locations: shop.locations,
    filter: {
      from: from.toISOString().slice(0, 10),
      to: toDay.toISOString().slice(0, 10),
      location: locationExternalId ?? "",
    },
    analytics,
  };
};

export default function AnalyticsPage() {
  const { currency, locations, filter, analytics } = useLoaderData<typeof loader>();
  const [, setSearchParams] = useSearchParams();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency });
  const set = (key: string, value: string) =>
    setSearchParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(key, value);
      else next.delete(key);
      return next;
    });
  const { suggestions, approvals, returns, loyalty } = analytics;
  // Over about a month, one bar a day is too thin to see: the charts go weekly.
  const weekly = analytics.days.length > 35;
  const per = weekly ? "week" : "day";
  const chart = (name: ChartName) =>
    mounted ? (
      <Suspense fallback={null}>
        <Chart chart={name} analytics={analytics} weekly={weekly} />
      </Suspense>
    ) : null;
  const table = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([key, count]) => [key.replace(/_/g, " "), count]);

  return (
    <Page title="Analytics" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <InlineStack gap="300" wrap blockAlign="end">
                <TextField
                  label="From"
                  type="date"
                  value={filter.from}
                  onChange={(v) => set("from", v)}
                  autoComplete="off"
                />
                <TextField label="To" type="date" value={filter.to} onChange={(v) => set("to", v)} autoComplete="off" />
                <Select
                  label="Location"
                  options={[
                    { label: "All locations", value: "" },
                    ...locations.map((l) => ({ label: l.name, value: l.externalId })),
                  ]}
                  value={filter.location}
                  onChange={(v) => set("location", v)}
                />
              </InlineStack>
            </Card>
            <InlineGrid columns={{ xs: 1, md: 4 }} gap="400">
              <Metric label="Suggestions shown" value={String(suggestions.shown)} />
              <Metric
                label="Added to carts"
                value={`${suggestions.added} (${(suggestions.addedRate * 100).toFixed(1)}%)`}
              />
              <Metric label="Attributed revenue" value={money(suggestions.attributedRevenueMinor)} />
              <Metric label="Points earned / redeemed" value={`${loyalty.earned} / ${loyalty.redeemed}`} />
            </InlineGrid>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <ChartCard title={`Suggestions shown and added, per ${per}`}>{chart("suggestions")}</ChartCard>
              <ChartCard title={`Attributed revenue per ${per} (${currency})`}>{chart("revenue")}</ChartCard>
            </InlineGrid>
            <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
              <ChartCard title="Approvals by outcome">{chart("approvals")}</ChartCard>
              <ChartCard title="Returns by verdict">{chart("returns")}</ChartCard>
              <ChartCard title={`Loyalty points per ${per}`}>{chart("loyalty")}</ChartCard>
            </InlineGrid>
            <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Approvals by outcome
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "numeric"]}
                    headings={["Outcome", "Requests"]}
                    rows={table(approvals.byOutcome)}
                  />
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Returns by verdict ({returns.checks} checks)
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "numeric"]}
                    headings={["Verdict", "Checks"]}
                    rows={table(returns.byVerdict)}
                  />
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Returns by reason
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "numeric"]}
                    headings={["Reason", "Checks"]}
                    rows={table(returns.byReason)}
                  />
                </BlockStack>
              </Card>
            </InlineGrid>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Discounts by staff member
                </Text>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
                  headings={["Staff", "Requests", "Approved", "Declined", "Given"]}
                  rows={approvals.byStaff.map((s) => [
                    s.staff,
                    s.requests,
                    s.approved,
                    s.declined,
                    money(s.amountMinor),
                  ])}
                />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Metric({ label, value }: { label: string; value: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="p" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
      </BlockStack>
    </Card>
  );
}

function ChartCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <div style={{ height: 240 }}>{children}</div>
      </BlockStack>
    </Card>
  );
}
