/**
 * Admin home: the setup checklist (it ticks itself), the plan, the history import with its
 * progress, what the model learned and when, the shop's numbers and the queue's health. The
 * page starts from the loader and keeps itself current by polling /app/overview.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import { useQuery } from "@tanstack/react-query";
import { requireAdmin } from "../admin-auth.server";
import { SetupChecklist, setupSteps, usePosExtensionActive } from "../components/SetupChecklist";
import { getDb } from "../db.server";
import { env } from "../env.server";
import { shopOverview, type HomeOverview } from "../services/admin-overview.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const overview = await shopOverview(getDb(), admin.shopDomain, env().SHOPIFY_APP_HANDLE, new Date());
  return { demo: admin.demo, overview };
};

const IMPORT_IN_PROGRESS = new Set(["pending", "running", "ingesting"]);

function formatDate(value: string | null | undefined) {
  return value ? new Date(value).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" }) : "—";
}

async function fetchOverview(): Promise<HomeOverview> {
  const response = await fetch("/app/overview", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`Could not refresh the overview (HTTP ${response.status})`);
  return (await response.json()) as HomeOverview;
}

function BackfillCard({ backfill, demo }: { backfill: HomeOverview["backfill"]; demo: boolean }) {
  if (!backfill) {
    return (
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Order history import
          </Text>
          <Text as="p" tone="subdued">
            {demo
              ? "The demo store's history was loaded by its seed (real grocery receipts); no import from Shopify."
              : "Not started yet. It starts by itself right after install."}
          </Text>
        </BlockStack>
      </Card>
    );
  }
  const running = IMPORT_IN_PROGRESS.has(backfill.status);
  const progress =
    backfill.status === "completed"
      ? 100
      : backfill.objectCount > 0
        ? Math.min(99, Math.round((backfill.ordersImported / backfill.objectCount) * 100))
        : running
          ? 5
          : 0;
  const tone = ({ completed: "success", failed: "critical", cancelled: "warning" } as const)[
    backfill.status as "completed" | "failed" | "cancelled"
  ];
  return (
    <Card>
      <BlockStack gap="300">
        <InlineGrid columns="1fr auto">
          <Text as="h2" variant="headingMd">
            Order history import
          </Text>
          <Badge tone={tone}>{backfill.status}</Badge>
        </InlineGrid>
        <ProgressBar
          progress={progress}
          tone={backfill.status === "failed" ? "critical" : "primary"}
          ariaLabelledBy="backfill-progress"
        />
        <Text as="p" id="backfill-progress">
          {backfill.ordersImported.toLocaleString()} orders and {backfill.linesImported.toLocaleString()} line items
          imported since {formatDate(backfill.sinceDate)}
          {running ? " so far" : ""}.
        </Text>
        {backfill.error && (
          <Banner tone="critical" title="The import stopped">
            <p>{backfill.error}</p>
          </Banner>
        )}
      </BlockStack>
    </Card>
  );
}

function PlanCard({ plan }: { plan: HomeOverview["plan"] }) {
  if (!plan) return null;
  const body = {
    demo: { badge: <Badge>Demo</Badge>, text: "The demo store has no Shopify subscription: nothing is charged here." },
    none: {
      badge: <Badge tone="attention">No plan</Badge>,
      text: "Choose a plan on Shopify's page to keep using the copilot.",
    },
    trial: {
      badge: <Badge tone="info">Trial</Badge>,
      text: plan.kind === "trial" ? `${plan.name}: free trial until ${formatDate(plan.trialEndsAt)}.` : "",
    },
    active: { badge: <Badge tone="success">Active</Badge>, text: plan.kind === "active" ? `${plan.name} plan.` : "" },
    attention: {
      badge: <Badge tone="critical">Needs attention</Badge>,
      text: plan.kind === "attention" ? `The subscription is ${plan.status.toLowerCase()}.` : "",
    },
  }[plan.kind];
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Plan
          </Text>
          {body.badge}
        </InlineStack>
        <Text as="p">{body.text}</Text>
        {plan.kind !== "demo" && (
          <InlineStack>
            {/* Shopify hosts plan selection (ADR 0010); it opens in the admin, not the app's frame. */}
            <Button url={plan.url} target="_top">
              {plan.kind === "none" ? "Choose a plan" : "Change plan"}
            </Button>
          </InlineStack>
        )}
      </BlockStack>
    </Card>
  );
}

function HealthCard({ overview }: { overview: HomeOverview }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Data health
        </Text>
        <Text as="p">Latest order: {formatDate(overview.lastOrderAt)}</Text>
        <Text as="p">
          Queue: {overview.queue.pending} waiting, {overview.queue.running} running
        </Text>
        {overview.deadLetters > 0 ? (
          <Banner tone="warning" title={`${overview.deadLetters} webhooks could not be processed`}>
            <Link to="/app/dead-letters">Review and retry them</Link>
          </Banner>
        ) : (
          <Text as="p" tone="subdued">
            Every webhook received so far was processed. <Link to="/app/dead-letters">Dead letters</Link>
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

export default function AdminHome() {
  const { demo, overview: initial } = useLoaderData<typeof loader>();
  const extension = usePosExtensionActive(!demo);
  const query = useQuery({
    queryKey: ["home", "overview"],
    queryFn: fetchOverview,
    initialData: initial,
    // Fast while the import runs, slower while setup steps are open, never once all is done.
    refetchInterval: (current) => {
      const data = current.state.data;
      if (!data) return false;
      if (IMPORT_IN_PROGRESS.has(data.backfill?.status ?? "")) return 3_000;
      return setupSteps(data, extension.data ?? null, demo).every((step) => step.done) ? false : 10_000;
    },
  });
  const overview = query.data;
  const steps = setupSteps(overview, extension.data ?? null, demo);

  return (
    <Page
      title="Register Copilot"
      secondaryActions={[
        { content: "Settings", url: "/app/settings" },
        { content: "Analytics", url: "/app/analytics" },
        { content: "Shift summary", url: "/app/shift" },
      ]}
    >
      <Layout>
        {demo && (
          <Layout.Section>
            <Banner tone="info" title="Demo store">
              <p>
                You are looking at the demo store {overview.shop?.domain ?? ""} on this machine. Open the{" "}
                <a href="/preview">register preview</a> to see what a cashier sees.
              </p>
            </Banner>
          </Layout.Section>
        )}
        {query.isRefetchError && (
          <Layout.Section>
            <Banner tone="warning" title="Showing the last figures">
              <p>{query.error.message}. Retrying.</p>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="400">
            <SetupChecklist steps={steps} />
            <BackfillCard backfill={overview.backfill} demo={demo} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <PlanCard plan={overview.plan} />
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Your store
                </Text>
                <InlineGrid columns={2} gap="300">
                  {[
                    ["Products", overview.counts?.products],
                    ["Orders", overview.counts?.orders],
                    ["Customers", overview.counts?.customers],
                    ["Locations", overview.counts?.locations],
                  ].map(([label, value]) => (
                    <BlockStack gap="050" key={String(label)}>
                      <Text as="h3" variant="headingSm" tone="subdued">
                        {label}
                      </Text>
                      <Text as="p" variant="headingLg">
                        {(value as number | undefined)?.toLocaleString() ?? "—"}
                      </Text>
                    </BlockStack>
                  ))}
                </InlineGrid>
              </BlockStack>
            </Card>
            <HealthCard overview={overview} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
