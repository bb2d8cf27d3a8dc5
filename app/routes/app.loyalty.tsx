/**
 * Admin: the loyalty program (points rate, tiers, rewards, locations, expiry, how long a reward
 * waits for its order), manual point adjustments (audited), and what the ledger holds.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { requireAdminShop } from "../admin-auth.server";
import { ChoiceInput, TextInput } from "../components/FormInputs";
import { getDb } from "../db.server";
import { fieldErrorsResponse } from "../http.server";
import { adjustPoints, LoyaltyError, loyaltyProgramFor, saveLoyaltyProgram } from "../services/loyalty.server";
import { LoyaltyAdjustFormSchema, LoyaltyProgramFormSchema, programFormValues } from "../../shared/loyalty-program";

export const meta: MetaFunction = () => [{ title: "Loyalty · Register Copilot" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminShop(request);
  const db = getDb();
  const [program, balances, entries, open] = await Promise.all([
    loyaltyProgramFor(db, shop.id),
    db.loyaltyLedgerEntry.groupBy({
      by: ["customerExternalId"],
      where: { shopId: shop.id },
      _sum: { points: true },
      orderBy: { _sum: { points: "desc" } },
      take: 10,
    }),
    db.loyaltyLedgerEntry.findMany({
      where: { shopId: shop.id },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: { createdAt: true, customerExternalId: true, kind: true, points: true, actor: true, note: true },
    }),
    db.loyaltyReservation.count({ where: { shopId: shop.id, status: "reserved" } }),
  ]);
  return {
    form: programFormValues(program),
    currency: shop.currency,
    balances: balances.map((b) => ({ customerId: b.customerExternalId, points: b._sum.points ?? 0 })),
    entries: entries.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
    openReservations: open,
  };
};

type ActionResult = { done?: string; fieldErrors?: Record<string, string> };

// Fields sit in fixed columns: in a wrapping row, a select as wide as its chosen option would push
// the fields after it around (onto another line) each time the merchant picks something.
const FIELD_COLUMNS = { xs: 1, sm: 2, md: 3 } as const;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, admin } = await requireAdminShop(request);
  const actor = `admin:${admin.userId ?? "unknown"}`;
  const fields = Object.fromEntries(await request.formData());
  if (fields.intent === "adjust") {
    const { intent: _intent, ...rest } = fields;
    const parsed = LoyaltyAdjustFormSchema.safeParse(rest);
    if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
    try {
      const { balance } = await adjustPoints(
        getDb(),
        shop.id,
        { customerExternalId: parsed.data.customerId, points: parsed.data.points, reason: parsed.data.reason },
        actor,
        new Date(),
      );
      return { done: `Customer ${parsed.data.customerId} now has ${balance} points` } satisfies ActionResult;
    } catch (error) {
      if (error instanceof LoyaltyError) return fieldErrorsResponse([{ path: ["points"], message: error.message }]);
      throw error;
    }
  }
  const { intent: _intent, ...rest } = fields;
  const parsed = LoyaltyProgramFormSchema.safeParse(rest);
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  await saveLoyaltyProgram(getDb(), shop.id, parsed.data, actor, new Date());
  return { done: "Program saved" } satisfies ActionResult;
};

export default function LoyaltyAdmin() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = result?.fieldErrors ?? {};
  const busy = useNavigation().state !== "idle";
  const field = (name: string, label: string, help?: string, type: "text" | "number" = "text") => (
    <TextInput
      key={`${data.form[name]}-${name}`}
      name={name}
      label={label}
      initial={data.form[name] ?? ""}
      error={errors[name]}
      type={type}
      help={help}
    />
  );

  return (
    <Page title="Loyalty" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.done ? <Banner tone="success" title={result.done} /> : null}
            <Card>
              <Form method="post">
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Program
                  </Text>
                  <input type="hidden" name="intent" value="program" />
                  <InlineGrid columns={FIELD_COLUMNS} gap="300">
                    <ChoiceInput
                      key={`enabled-${data.form.enabled}`}
                      name="enabled"
                      label="Loyalty at the register"
                      initial={data.form.enabled ?? "on"}
                      options={[
                        { label: "On", value: "on" },
                        { label: "Off (the register shows nothing for loyalty)", value: "off" },
                      ]}
                    />
                    {field("pointsPerUnit", `Points per 1 ${data.currency} paid`, undefined, "number")}
                    {field("baseTierName", "First tier (from 0)")}
                    {field("tiers", "Higher tiers", "name=12-month spend:perk %, e.g. Silver=500:0, Gold=1500:5")}
                  </InlineGrid>
                  {field(
                    "rewards",
                    "Rewards",
                    "id=amount or percent%:points:minimum spend, e.g. five-off=5.00:100:10, ten-percent=10%:250:30",
                  )}
                  <InlineGrid columns={FIELD_COLUMNS} gap="300">
                    {field("locations", "Locations taking part", "location ids; empty for all")}
                    {field("expiryDays", "Points expire after (days)", "empty: never")}
                    {field(
                      "reservationMinutes",
                      "A reward waits for its order (minutes)",
                      "then its points come back",
                      "number",
                    )}
                  </InlineGrid>
                  <Text as="p" tone="subdued">
                    The register only offers rewards within the store&apos;s discount approval limits.
                  </Text>
                  <Button submit variant="primary" loading={busy}>
                    Save program
                  </Button>
                </BlockStack>
              </Form>
            </Card>

            <Card>
              <Form method="post">
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Adjust a customer&apos;s points
                  </Text>
                  <input type="hidden" name="intent" value="adjust" />
                  <InlineGrid columns={FIELD_COLUMNS} gap="300">
                    <TextInput name="customerId" label="Customer id" initial="" error={errors.customerId} type="text" />
                    <TextInput
                      name="points"
                      label="Points (+ adds, − removes)"
                      initial=""
                      error={errors.points}
                      type="number"
                    />
                    <TextInput
                      name="reason"
                      label="Reason (in the audit log)"
                      initial=""
                      error={errors.reason}
                      type="text"
                    />
                  </InlineGrid>
                  <Button submit loading={busy}>
                    Adjust
                  </Button>
                </BlockStack>
              </Form>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Ledger
                </Text>
                <Text as="p" tone="subdued">
                  {data.openReservations} reward(s) applied at a register are waiting for their order.
                </Text>
                <DataTable
                  columnContentTypes={["text", "numeric"]}
                  headings={["Customer", "Points"]}
                  rows={data.balances.map((b) => [b.customerId, b.points])}
                />
                <DataTable
                  columnContentTypes={["text", "text", "text", "numeric", "text"]}
                  headings={["When", "Customer", "What", "Points", "By"]}
                  rows={data.entries.map((e) => [
                    new Date(e.createdAt).toLocaleString(),
                    e.customerExternalId,
                    e.note ? `${e.kind}: ${e.note}` : e.kind,
                    e.points,
                    e.actor,
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
