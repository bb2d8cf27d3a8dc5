/**
 * Admin: the shift summary for a manager. The figures of the last hours at a location, counted
 * from the database, with anomalies flagged by rule; "Write the note" adds a short text, by the
 * shop's language model when it is on (checked against the figures), else from a template.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineGrid,
  Layout,
  Page,
  Select,
  Text,
} from "@shopify/polaris";
import { z } from "zod";
import { requireAdminShop } from "../admin-auth.server";
import { getDb } from "../db.server";
import { fieldErrorsResponse } from "../http.server";
import { shiftFigures, writeShiftNote, type ShiftNote } from "../services/shift-summary.server";

const SHIFT_HOURS = ["8", "12", "24"] as const;

const ShiftFormSchema = z.strictObject({
  location: z.string().max(30).regex(/^\d*$/, "must be a location id or empty for all locations"),
  hours: z.enum(SHIFT_HOURS, { message: "must be 8, 12 or 24" }),
  /** The shift's end as the page showed it, so the note describes the figures beside it. */
  to: z.iso.datetime({ message: "must be a date and time" }),
});

async function windowFor(request: Request, fields: { location: string; hours: string; to?: string }) {
  const { shop } = await requireAdminShop(request);
  const location = shop.locations.some((l) => l.externalId === fields.location) ? fields.location : null;
  const to = fields.to ? new Date(fields.to) : new Date();
  const from = new Date(to.getTime() - Number(fields.hours) * 3_600_000);
  return { shop, window: { location, from, to, currency: shop.currency } };
}

export const meta: MetaFunction = () => [{ title: "Shift summary · Register Copilot" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const params = new URL(request.url).searchParams;
  const hours = SHIFT_HOURS.find((value) => value === params.get("hours")) ?? "12";
  const { shop, window } = await windowFor(request, { location: params.get("location") ?? "", hours });
  return {
    locations: shop.locations,
    hours,
    location: window.location ?? "",
    figures: await shiftFigures(getDb(), shop.id, window),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const parsed = ShiftFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  const { shop, window } = await windowFor(request, parsed.data);
  const db = getDb();
  const figures = await shiftFigures(db, shop.id, window);
  return { note: await writeShiftNote(db, shop.id, figures, new Date()), figures };
};

const when = (iso: string) => new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });

export default function ShiftPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<{ note?: ShiftNote; fieldErrors?: Record<string, string> }>();
  const busy = useNavigation().state !== "idle";
  const [, setSearchParams] = useSearchParams();
  const figures = data.figures;
  const filter = (next: { location?: string; hours?: string }) =>
    setSearchParams({ location: next.location ?? data.location, hours: next.hours ?? data.hours });
  const rows: Array<[string, string]> = [
    ["Orders", `${figures.sales.orders} (${figures.sales.revenue})`],
    [
      "Suggestions shown / added",
      `${figures.suggestions.shown} / ${figures.suggestions.added} (${figures.suggestions.addedPct}%)`,
    ],
    ["Manual discounts given", String(figures.manualDiscounts.total)],
    ["Discounts within limits", String(figures.approvals.withinLimits)],
    [
      "Sent to a manager / approved / declined",
      `${figures.approvals.asked} / ${figures.approvals.approved} / ${figures.approvals.declined}`,
    ],
    ["Returns checked", String(figures.returns.checks)],
    ...Object.entries(figures.returns.byVerdict).map(([verdict, count]): [string, string] => [
      `Returns: ${verdict.replace(/_/g, " ")}`,
      String(count),
    ]),
  ];
  return (
    <Page
      title="Shift summary"
      subtitle={`${when(figures.from)} to ${when(figures.to)}`}
      backAction={{ content: "Home", url: "/app" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                <Select
                  label="Location"
                  options={[
                    { label: "All locations", value: "" },
                    ...data.locations.map((l) => ({ label: l.name, value: l.externalId })),
                  ]}
                  value={data.location}
                  onChange={(location) => filter({ location })}
                />
                <Select
                  label="Shift"
                  options={SHIFT_HOURS.map((hours) => ({ label: `Last ${hours} hours`, value: hours }))}
                  value={data.hours}
                  onChange={(hours) => filter({ hours })}
                />
              </InlineGrid>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Figures
                </Text>
                <DataTable columnContentTypes={["text", "numeric"]} headings={["", "This shift"]} rows={rows} />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Manual discounts by staff member
                </Text>
                {figures.manualDiscounts.byStaff.length ? (
                  <DataTable
                    columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                    headings={["Staff", "Discounts", "Amount", "Share"]}
                    rows={figures.manualDiscounts.byStaff.map((row) => [
                      row.staff,
                      row.discounts,
                      row.amount,
                      `${row.sharePct}%`,
                    ])}
                  />
                ) : (
                  <Text as="p" tone="subdued">
                    No manual discounts in this shift.
                  </Text>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            {figures.anomalies.length > 0 && (
              <Banner tone="warning" title="Worth a look">
                <BlockStack gap="100">
                  {figures.anomalies.map((anomaly) => (
                    <p key={anomaly.staff}>{anomaly.text}.</p>
                  ))}
                </BlockStack>
              </Banner>
            )}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Note for the manager
                </Text>
                {result?.note ? (
                  <>
                    <Text as="p">{result.note.text}</Text>
                    {result.note.source === "model" ? (
                      <Badge tone="info">{`Written by the language model (prompt v${result.note.promptVersion})`}</Badge>
                    ) : (
                      <Text as="p" tone="subdued">
                        Written from the figures ({result.note.fallbackReason}).
                      </Text>
                    )}
                  </>
                ) : (
                  <Text as="p" tone="subdued">
                    A few sentences on this shift, made only from the figures shown here.
                  </Text>
                )}
                {result?.fieldErrors && (
                  <Banner tone="critical" title="The note could not be written">
                    <p>
                      {Object.entries(result.fieldErrors)
                        .map(([field, message]) => `${field}: ${message}`)
                        .join("; ")}
                    </p>
                  </Banner>
                )}
                <Form method="post">
                  <input type="hidden" name="location" value={data.location} />
                  <input type="hidden" name="hours" value={data.hours} />
                  <input type="hidden" name="to" value={figures.to} />
                  <Button submit loading={busy}>
                    Write the note
                  </Button>
                </Form>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
