import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Banner,
  Button,
  Card,
  DataTable,
  InlineGrid,
  Layout,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import { useEffect } from "react";
import { z } from "zod";
import { requireAdmin } from "../admin-auth.server";
import { getDb } from "../db.server";
import { shopOverview } from "../services/admin-overview.server";
import { retryDeadJob } from "../services/jobs.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  return { demo: admin.demo, ...(await shopOverview(getDb(), admin.shopDomain)) };
};

const RetrySchema = z.object({
  intent: z.literal("retry-dead-letter"),
  jobId: z.string().min(1).max(64),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const parsed = RetrySchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return Response.json({ error: `${issue.path.join(".")}: ${issue.message}` }, { status: 400 });
  }
  const retried = await retryDeadJob(getDb(), admin.shopDomain, parsed.data.jobId, new Date());
  if (!retried) return Response.json({ error: "jobId: no dead letter with that id for this shop" }, { status: 404 });
  return { retried: parsed.data.jobId };
};

const IMPORT_IN_PROGRESS = new Set(["pending", "running", "ingesting"]);

function formatDate(value: Date | string | null | undefined) {
  return value ? new Date(value).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" }) : "—";
}

function BackfillCard({
  backfill,
  demo,
}: {
  backfill: ReturnType<typeof useLoaderData<typeof loader>>["backfill"];
  demo: boolean;
}) {
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
        <ProgressBar progress={progress} tone={backfill.status === "failed" ? "critical" : "primary"} />
        <Text as="p">
          {backfill.ordersImported.toLocaleString()} orders and {backfill.linesImported.toLocaleString()} line items
          imported since {formatDate(backfill.sinceDate)}.
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

function DeadLetters({ deadLetters }: { deadLetters: ReturnType<typeof useLoaderData<typeof loader>>["deadLetters"] }) {
  const fetcher = useFetcher<typeof action>();
  if (!deadLetters.length) {
    return (
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Webhooks that could not be processed
          </Text>
          <Text as="p" tone="subdued">
            None. Every webhook received so far was processed.
          </Text>
        </BlockStack>
      </Card>
    );
  }
  const rows = deadLetters.map((job) => [
    job.type.replace(/^webhook:/, ""),
    formatDate(job.finishedAt),
    job.lastError ?? "",
    String(job.attempts),
    <fetcher.Form method="post" key={job.id}>
      <input type="hidden" name="intent" value="retry-dead-letter" />
      <input type="hidden" name="jobId" value={job.id} />
      <Button submit size="slim" loading={fetcher.state !== "idle" && fetcher.formData?.get("jobId") === job.id}>
        Retry
      </Button>
    </fetcher.Form>,
  ]);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Webhooks that could not be processed ({deadLetters.length})
        </Text>
        <DataTable
          columnContentTypes={["text", "text", "text", "numeric", "text"]}
          headings={["Topic", "Failed at", "Reason", "Attempts", ""]}
          rows={rows}
        />
      </BlockStack>
    </Card>
  );
}

export default function AdminHome() {
  const data = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const importing = IMPORT_IN_PROGRESS.has(data.backfill?.status ?? "");
  // Keep the import's progress live while it runs.
  useEffect(() => {
    if (!importing) return;
    const timer = setInterval(() => revalidator.revalidate(), 3_000);
    return () => clearInterval(timer);
  }, [importing, revalidator]);

  return (
    <Page
      title="Register Copilot"
      secondaryActions={[
        { content: "Suggestions settings", url: "/app/suggestions" },
        { content: "Approvals", url: "/app/approvals" },
        { content: "Return policy", url: "/app/returns" },
        { content: "Loyalty program", url: "/app/loyalty" },
        { content: "Analytics", url: "/app/analytics" },
      ]}
    >
      <Layout>
        {data.demo && (
          <Layout.Section>
            <Banner tone="info" title="Demo store">
              <p>
                You are looking at the demo store {data.shop?.domain ?? ""} on this machine. Open the{" "}
                <a href="/preview">register preview</a> to see what a cashier sees.
              </p>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
            {[
              ["Products", data.counts?.products],
              ["Orders", data.counts?.orders],
              ["Customers", data.counts?.customers],
              ["Locations", data.counts?.locations],
            ].map(([label, value]) => (
              <Card key={String(label)}>
                <BlockStack gap="100">
                  <Text as="h3" variant="headingSm" tone="subdued">
                    {label}
                  </Text>
                  <Text as="p" variant="headingLg">
                    {(value as number | undefined)?.toLocaleString() ?? "—"}
                  </Text>
                </BlockStack>
              </Card>
            ))}
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <BackfillCard backfill={data.backfill} demo={data.demo} />
        </Layout.Section>
        <Layout.Section>
          <DeadLetters deadLetters={data.deadLetters} />
        </Layout.Section>
        <Layout.Section>
          <Text as="p" tone="subdued">
            Latest order: {formatDate(data.lastOrderAt)} · Queue: {data.queueCounts.pending ?? 0} waiting,{" "}
            {data.queueCounts.running ?? 0} running
          </Text>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
