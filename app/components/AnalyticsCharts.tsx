/**
 * The analytics charts (polaris-viz), loaded in the browser only: they measure their container.
 * Every figure drawn here is also in a table or metric on the page.
 */
import { BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";
import { BarChart, DonutChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import type { Analytics } from "../services/analytics.server";

export default function AnalyticsCharts({ analytics, currency }: { analytics: Analytics; currency: string }) {
  // Over about a month, one bar a day is too thin to see: the charts go weekly.
  const weekly = analytics.days.length > 35;
  const days = weekly ? byWeek(analytics.days) : analytics.days;
  const per = weekly ? "week" : "day";
  const major = (minor: number) => minor / 100;
  const series = (name: string, pick: (day: Analytics["days"][number]) => number) => ({
    name,
    data: days.map((day) => ({ key: day.day, value: pick(day) })),
  });
  const counts = (name: string, counts: Record<string, number>) =>
    Object.entries(counts).map(([key, value]) => ({ name: key.replace(/_/g, " "), data: [{ key: name, value }] }));
  return (
    <PolarisVizProvider>
      <BlockStack gap="400">
        <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
          <ChartCard title={`Suggestions shown and added, per ${per}`}>
            <LineChart data={[series("Shown", (d) => d.shown), series("Added", (d) => d.added)]} theme="Light" />
          </ChartCard>
          <ChartCard title={`Attributed revenue per ${per} (${currency})`}>
            <BarChart data={[series("Revenue", (d) => major(d.attributedRevenueMinor))]} theme="Light" />
          </ChartCard>
        </InlineGrid>
        <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
          <ChartCard title="Approvals by outcome">
            <DonutChart data={counts("requests", analytics.approvals.byOutcome)} theme="Light" />
          </ChartCard>
          <ChartCard title="Returns by verdict">
            <DonutChart data={counts("checks", analytics.returns.byVerdict)} theme="Light" />
          </ChartCard>
          <ChartCard title={`Loyalty points per ${per}`}>
            <BarChart
              data={[series("Earned", (d) => d.pointsEarned), series("Redeemed", (d) => d.pointsRedeemed)]}
              theme="Light"
            />
          </ChartCard>
        </InlineGrid>
      </BlockStack>
    </PolarisVizProvider>
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

/** Sums days into weeks keyed by their first day. */
function byWeek(days: Analytics["days"]): Analytics["days"] {
  const weeks: Analytics["days"] = [];
  for (const [index, day] of days.entries()) {
    if (index % 7 === 0) weeks.push({ ...day });
    else {
      const week = weeks[weeks.length - 1]!;
      week.shown += day.shown;
      week.added += day.added;
      week.attributedRevenueMinor += day.attributedRevenueMinor;
      week.pointsEarned += day.pointsEarned;
      week.pointsRedeemed += day.pointsRedeemed;
    }
  }
  return weeks;
}
