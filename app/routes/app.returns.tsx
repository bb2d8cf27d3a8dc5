/**
 * Admin: the return policy (every save is a new version; the register records which version
 * decided each check), its history, and the latest checks made at the registers.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { requireAdminShop } from "../admin-auth.server";
import { ChoiceInput, TextInput } from "../components/FormInputs";
import { getDb } from "../db.server";
import { fieldErrorsResponse } from "../http.server";
import { currentReturnPolicy, saveReturnPolicy } from "../services/returns.server";
import { formatMoney } from "../../shared/money";
import { policyFormValues, ReturnPolicyFormSchema } from "../../shared/return-policy";

export const meta: MetaFunction = () => [{ title: "Returns · Register Copilot" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminShop(request);
  const db = getDb();
  const [current, versions, checks] = await Promise.all([
    currentReturnPolicy(db, shop.id),
    db.returnPolicyVersion.findMany({
      where: { shopId: shop.id },
      orderBy: { version: "desc" },
      take: 20,
      select: { version: true, createdBy: true, createdAt: true },
    }),
    db.returnCheck.findMany({
      where: { shopId: shop.id },
      orderBy: { createdAt: "desc" },
      take: 25,
      select: {
        createdAt: true,
        orderExternalId: true,
        verdict: true,
        refundableMinor: true,
        currency: true,
        reasonCode: true,
        policyVersion: true,
        locationExternalId: true,
      },
    }),
  ]);
  return {
    currency: shop.currency,
    version: current.version,
    form: policyFormValues(current.policy),
    versions: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
    checks: checks.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })),
  };
};

type ActionResult = { savedVersion?: number; fieldErrors?: Record<string, string> };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, admin } = await requireAdminShop(request);
  const parsed = ReturnPolicyFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  const version = await saveReturnPolicy(
    getDb(),
    shop.id,
    parsed.data,
    `admin:${admin.userId ?? "unknown"}`,
    new Date(),
  );
  return { savedVersion: version } satisfies ActionResult;
};

// Fields sit in fixed columns: in a wrapping row, a select as wide as its chosen option would push
// the fields after it around (onto another line) each time the merchant picks something.
const FIELD_COLUMNS = { xs: 1, sm: 2, md: 3 } as const;

const VERDICTS = [
  { label: "Refund", value: "approve" },
  { label: "Store credit at most", value: "store_credit" },
  { label: "Exchange only", value: "exchange_only" },
  { label: "No return", value: "deny" },
];

export default function ReturnsPolicyPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = result?.fieldErrors ?? {};
  const busy = useNavigation().state !== "idle";
  const money = (minor: number, currency = data.currency) => formatMoney({ amountMinor: minor, currency });
  const field = (name: string, label: string, options: { type?: "number" | "text"; help?: string } = {}) => (
    <TextInput
      key={`${data.version}-${name}`}
      name={name}
      label={label}
      initial={data.form[name] ?? ""}
      error={errors[name]}
      type={options.type ?? "text"}
      help={options.help}
    />
  );
  const choice = (name: string, label: string, options: { label: string; value: string }[]) => (
    <ChoiceInput
      key={`${data.version}-${name}`}
      name={name}
      label={label}
      initial={data.form[name] ?? ""}
      options={options}
    />
  );
  const onOff = [
    { label: "Yes", value: "on" },
    { label: "No", value: "off" },
  ];

  return (
    <Page
      title="Returns"
      subtitle={`Policy version ${data.version || "— (defaults)"}`}
      backAction={{ content: "Home", url: "/app" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.savedVersion ? <Banner tone="success" title={`Saved as version ${result.savedVersion}`} /> : null}
            {result?.fieldErrors ? (
              <Banner tone="critical" title="The policy was not saved">
                {Object.values(result.fieldErrors)[0]}
              </Banner>
            ) : null}
            <Card>
              <Form method="post">
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Return window
                  </Text>
                  <InlineGrid columns={FIELD_COLUMNS} gap="300">
                    {field("windowDays", "Days after purchase", { type: "number" })}
                    {field("windowOverrides", "Overrides", { help: "e.g. type:Bakery=2, tag:electronics=14" })}
                    {field("finalSaleTags", "Final-sale tags", { help: "comma separated" })}
                  </InlineGrid>
                  <Text as="h2" variant="headingMd">
                    Condition and category
                  </Text>
                  <InlineGrid columns={FIELD_COLUMNS} gap="300">
                    {choice("unopened", "Unopened", VERDICTS)}
                    {choice("used", "Used", VERDICTS)}
                    {choice("defective", "Defective", VERDICTS)}
                    {field("exchangeOnly", "Exchange only", { help: "e.g. type:Swimwear, tag:custom" })}
                    {field("restockingFeePercent", "Restocking fee (%)", { type: "number" })}
                    {choice("restockingFeeOn", "Fee applies to", [
                      { label: "Used items", value: "used" },
                      { label: "Used and unopened items", value: "used,unopened" },
                      { label: "Nothing", value: "none" },
                    ])}
                  </InlineGrid>
                  <Text as="h2" variant="headingMd">
                    Receipts and orders
                  </Text>
                  <InlineGrid columns={FIELD_COLUMNS} gap="300">
                    {choice("receiptRequired", "Receipt or order required", onOff)}
                    {choice("onlineReturnsInStore", "Online orders returnable in store", onOff)}
                    {choice("noReceiptAllowed", "Without a receipt: store credit", onOff)}
                    {field("noReceiptApprovalAbove", `…a manager approves above (${data.currency})`, {
                      type: "number",
                    })}
                  </InlineGrid>
                  <Text as="h2" variant="headingMd">
                    Review and advice
                  </Text>
                  <InlineGrid columns={FIELD_COLUMNS} gap="300">
                    {field("reviewMaxReturns", "A manager reviews after this many returns", { type: "number" })}
                    {field("reviewMaxValue", `…or this value (${data.currency})`, { type: "number" })}
                    {field("reviewDays", "…within days", { type: "number" })}
                    {field("highValue", `High-value return from (${data.currency})`, { type: "number" })}
                  </InlineGrid>
                  <Button submit variant="primary" loading={busy}>
                    Save as a new version
                  </Button>
                </BlockStack>
              </Form>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Latest checks at the registers
                </Text>
                {data.checks.length === 0 ? (
                  <Text as="p" tone="subdued">
                    No return has been checked yet.
                  </Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "text", "text", "numeric", "text", "numeric"]}
                    headings={["When", "Order", "Verdict", "Refundable", "Reason", "Policy"]}
                    rows={data.checks.map((c) => [
                      new Date(c.createdAt).toLocaleString(),
                      c.orderExternalId ?? "no receipt",
                      c.verdict.replace(/_/g, " "),
                      money(c.refundableMinor, c.currency),
                      c.reasonCode.replace(/_/g, " "),
                      `v${c.policyVersion}`,
                    ])}
                  />
                )}
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Versions
                </Text>
                {data.versions.length === 0 ? (
                  <Text as="p" tone="subdued">
                    The defaults are in force; the first save becomes version 1.
                  </Text>
                ) : (
                  <DataTable
                    columnContentTypes={["numeric", "text", "text"]}
                    headings={["Version", "Saved", "By"]}
                    rows={data.versions.map((v) => [v.version, new Date(v.createdAt).toLocaleString(), v.createdBy])}
                  />
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
