/**
 * Admin: webhooks (and other jobs) that could not be processed, with why, what was received,
 * and a retry. A retried job goes back to the queue with fresh attempts; the worker runs it.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { requireAdmin } from "../admin-auth.server";
import { getDb } from "../db.server";
import { fieldErrorsResponse } from "../http.server";
import { listDeadLetters, retryAllDeadJobs, retryDeadJob } from "../services/jobs.server";

/** Enough of a payload to recognise it; the whole of it stays in the database. */
const PAYLOAD_PREVIEW_CHARS = 2_000;

export const meta: MetaFunction = () => [{ title: "Dead letters · Register Copilot" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const db = getDb();
  const [jobs, total] = await Promise.all([
    listDeadLetters(db, admin.shopDomain),
    db.job.count({ where: { shopDomain: admin.shopDomain, status: "dead" } }),
  ]);
  return {
    total,
    deadLetters: jobs.map((job) => ({
      id: job.id,
      topic: job.type.replace(/^webhook:/, ""),
      webhook: job.type.startsWith("webhook:"),
      reason: job.lastError ?? "",
      attempts: job.attempts,
      receivedAt: job.createdAt.toISOString(),
      failedAt: job.finishedAt?.toISOString() ?? null,
      payload:
        job.payload.length > PAYLOAD_PREVIEW_CHARS ? `${job.payload.slice(0, PAYLOAD_PREVIEW_CHARS)}…` : job.payload,
      payloadBytes: Buffer.byteLength(job.payload),
    })),
  };
};

const RetryFormSchema = z.discriminatedUnion("intent", [
  z.strictObject({ intent: z.literal("retry"), jobId: z.string().min(1, "required").max(64) }),
  z.strictObject({ intent: z.literal("retry-all") }),
]);

type ActionResult = { retried?: number; fieldErrors?: Record<string, string> };

export const action = async ({ request }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const parsed = RetryFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  const db = getDb();
  const now = new Date();
  if (parsed.data.intent === "retry-all") {
    return { retried: await retryAllDeadJobs(db, admin.shopDomain, now) } satisfies ActionResult;
  }
  if (!(await retryDeadJob(db, admin.shopDomain, parsed.data.jobId, now))) {
    return Response.json({ fieldErrors: { jobId: "no dead letter with that id for this shop" } }, { status: 404 });
  }
  return { retried: 1 } satisfies ActionResult;
};

const formatDate = (value: string | null) =>
  value ? new Date(value).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" }) : "—";

type DeadLetter = ReturnType<typeof useLoaderData<typeof loader>>["deadLetters"][number];

function DeadLetterRow({ job }: { job: DeadLetter }) {
  const fetcher = useFetcher<ActionResult>();
  const [open, setOpen] = useState(false);
  const busy = fetcher.state !== "idle";
  return (
    <Box paddingBlock="300" borderBlockEndWidth="025" borderColor="border">
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center" gap="300">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h3" variant="headingSm">
              {job.topic}
            </Text>
            <Badge tone="critical">{`${job.attempts} ${job.attempts === 1 ? "attempt" : "attempts"}`}</Badge>
          </InlineStack>
          <InlineStack gap="200">
            <Button onClick={() => setOpen(!open)} size="slim" ariaExpanded={open} ariaControls={`payload-${job.id}`}>
              {open ? "Hide payload" : "Show payload"}
            </Button>
            <fetcher.Form method="post">
              <input type="hidden" name="intent" value="retry" />
              <input type="hidden" name="jobId" value={job.id} />
              <Button submit size="slim" variant="primary" loading={busy}>
                Retry
              </Button>
            </fetcher.Form>
          </InlineStack>
        </InlineStack>
        <Text as="p">{job.reason}</Text>
        <Text as="p" tone="subdued">
          Received {formatDate(job.receivedAt)} · gave up {formatDate(job.failedAt)} ·{" "}
          {job.payloadBytes.toLocaleString()} bytes
        </Text>
        {open && (
          <Box id={`payload-${job.id}`} padding="200" background="bg-surface-secondary" borderRadius="200">
            <pre style={{ whiteSpace: "pre-wrap", wordBreak: "break-all", margin: 0, fontSize: 12 }}>{job.payload}</pre>
          </Box>
        )}
      </BlockStack>
    </Box>
  );
}

export default function DeadLettersPage() {
  const { deadLetters, total } = useLoaderData<typeof loader>();
  const retryAll = useFetcher<ActionResult>();
  return (
    <Page
      title="Dead letters"
      subtitle="Webhooks that could not be processed"
      backAction={{ content: "Home", url: "/app" }}
      primaryAction={
        total > 0
          ? {
              content: `Retry all (${total})`,
              loading: retryAll.state !== "idle",
              onAction: () => retryAll.submit({ intent: "retry-all" }, { method: "post" }),
            }
          : undefined
      }
    >
      <Layout>
        {retryAll.data?.retried !== undefined && (
          <Layout.Section>
            <Banner tone="success" title={`${retryAll.data.retried} sent back to the queue`} />
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            {deadLetters.length === 0 ? (
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Nothing to retry
                </Text>
                <Text as="p" tone="subdued">
                  Every webhook received so far was processed.
                </Text>
              </BlockStack>
            ) : (
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  {total > deadLetters.length ? `The newest ${deadLetters.length} of ${total}` : `${total} to review`}
                </Text>
                {deadLetters.map((job) => (
                  <DeadLetterRow key={job.id} job={job} />
                ))}
              </BlockStack>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
