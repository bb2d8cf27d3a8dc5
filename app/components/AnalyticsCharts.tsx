/**
 * The analytics charts (polaris-viz), loaded in the browser only: they measure their container.
 * Every figure drawn here is also in a table or metric on the page.
 */
import { BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";
import { BarChart, DonutChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import type { Analytics } from "../services/analytics.server";

export default function AnalyticsCharts({ analytics, currency }: { analytics: Analytics; currency: string }) {
  const days = analytics.days;
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
          <ChartCard title="Suggestions shown and added, per day">
            <LineChart data={[series("Shown", (d) => d.shown), series("Added", (d) => d.added)]} theme="Light" />
          </ChartCard>
          <ChartCard title={`Attributed revenue per day (${currency})`}>
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
          <ChartCard title="Loyalty points per day">
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
