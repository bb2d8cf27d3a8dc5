/**
 * Admin: settings per location in one place. Every feature's on/off and main limits for the
 * whole shop or one location, the copilot's kill switch, and whether a language model is set up.
 * Each feature's own page keeps its detailed settings (exclusions, the return policy, tiers).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { requireAdminShop } from "../admin-auth.server";
import { ChoiceInput, TextInput } from "../components/FormInputs";
import { LocationScopeSelect } from "../components/LocationScopeSelect";
import { getDb } from "../db.server";
import { env } from "../env.server";
import { fieldErrorsResponse } from "../http.server";
import { aiProviderStatus } from "../services/ai-provider.server";
import { aiSettingsFor, aiUsageToday } from "../services/ai.server";
import { saveAiSettings, saveScopeSettings, settingsOverview } from "../services/location-settings.server";
import { AiSettingsFormSchema } from "../../shared/ai-settings";
import { LocationSettingsFormSchema, settingsFormValues, type ScopeSettings } from "../../shared/location-settings";
import { formatMoney } from "../../shared/money";

export const meta: MetaFunction = () => [{ title: "Settings · Register Copilot" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminShop(request);
  const location = new URL(request.url).searchParams.get("location") ?? "";
  const locationExternalId = shop.locations.some((l) => l.externalId === location) ? location : "";
  const scopes = await settingsOverview(getDb(), shop);
  const current = scopes.find((scope) => scope.locationExternalId === locationExternalId)!;
  return {
    currency: shop.currency,
    locations: shop.locations,
    locationExternalId,
    scopes,
    form: settingsFormValues(current.settings),
    pausedBy: current.pausedBy,
    ai: {
      ...aiProviderStatus(env()),
      ...(await aiSettingsFor(getDb(), shop.id)),
      usedToday: (await aiUsageToday(getDb(), shop.id, new Date())).tokens,
    },
  };
};

type ActionResult = { saved?: true; fieldErrors?: Record<string, string> };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, admin } = await requireAdminShop(request);
  const fields = Object.fromEntries(await request.formData());
  const actor = `admin:${admin.userId ?? "unknown"}`;
  if (fields.intent === "ai") {
    const ai = AiSettingsFormSchema.safeParse(fields);
    if (!ai.success) return fieldErrorsResponse(ai.error.issues);
    await saveAiSettings(getDb(), { id: shop.id, domain: admin.shopDomain }, ai.data, actor, new Date());
    return { saved: true as const };
  }
  const parsed = LocationSettingsFormSchema.safeParse(fields);
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  const result = await saveScopeSettings(getDb(), shop, parsed.data, actor, new Date());
  if ("fieldErrors" in result) return Response.json(result, { status: 400 });
  return result satisfies ActionResult;
};

const ON_OFF = [
  { label: "On", value: "on" },
  { label: "Off", value: "off" },
];

function Status({ on, paused }: { on: boolean; paused: boolean }) {
  if (paused) return <Badge tone="critical">Paused</Badge>;
  return on ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>;
}

function overviewRow(
  scope: { locationExternalId: string; name: string; settings: ScopeSettings; pausedBy: string | null },
  money: (minor: number) => string,
) {
  const s = scope.settings;
  const paused = scope.pausedBy !== null;
  return [
    <Link key="name" to={scope.locationExternalId ? `?location=${scope.locationExternalId}` : "?"}>
      {scope.name}
    </Link>,
    paused ? <Badge tone="critical">Paused</Badge> : <Badge tone="success">Running</Badge>,
    <Status key="s" on={s.suggestions.enabled} paused={paused} />,
    <InlineGrid key="a" columns="auto 1fr" gap="200">
      <Status on={s.approvals.enabled} paused={paused} />
      <Text as="span" tone="subdued">
        over {s.approvals.maxPercent}% or {money(s.approvals.maxAmountMinor)}
      </Text>
    </InlineGrid>,
    <Status key="r" on={s.returns} paused={paused} />,
    <Status key="l" on={s.loyalty} paused={paused} />,
  ];
}

export default function SettingsPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = result?.fieldErrors ?? {};
  const busy = useNavigation().state !== "idle";
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency: data.currency });
  const scopeName = data.scopes.find((s) => s.locationExternalId === data.locationExternalId)?.name ?? "";
  const shopPaused = data.scopes[0]?.pausedBy === "shop";
  const field = (name: string, label: string, help?: string) => (
    <TextInput
      name={name}
      label={label}
      type="number"
      initial={data.form[name] ?? ""}
      error={errors[name]}
      help={help}
    />
  );
  const choice = (name: string, label: string, options = ON_OFF) => (
    <BlockStack gap="100">
      <ChoiceInput name={name} label={label} initial={data.form[name] ?? "on"} options={options} />
      {errors[name] && (
        <Text as="p" tone="critical">
          {errors[name]}
        </Text>
      )}
    </BlockStack>
  );

  return (
    <Page title="Settings" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        {shopPaused && (
          <Layout.Section>
            <Banner tone="critical" title="The copilot is paused on every register">
              <p>Registers show nothing from Register Copilot until you switch it back on for all locations.</p>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section variant="fullWidth">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Every location at a glance
              </Text>
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "text", "text"]}
                headings={["Location", "Copilot", "Suggestions", "Manager approvals", "Returns", "Loyalty"]}
                rows={data.scopes.map((scope) => overviewRow(scope, money))}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            {/* Remount on scope change and after a save so the inputs start from what is stored. */}
            <Form method="post" key={`${data.locationExternalId}:${JSON.stringify(data.form)}`}>
              <BlockStack gap="400">
                <Text as="h2" variant="headingMd">
                  Settings for {scopeName}
                </Text>
                {result?.saved && <Banner tone="success" title="Saved" />}
                {data.pausedBy === "shop" && data.locationExternalId && (
                  <Banner tone="warning" title="Paused for all locations">
                    <p>This location stays paused while the copilot is off for all locations.</p>
                  </Banner>
                )}
                <LocationScopeSelect
                  locations={data.locations}
                  value={data.locationExternalId}
                  error={errors.locationExternalId}
                />
                {choice("copilot", "Register Copilot (kill switch)", [
                  { label: "Running", value: "on" },
                  { label: "Paused: registers show nothing from the copilot", value: "off" },
                ])}
                <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                  {choice("suggestions", "Upsell suggestions")}
                  {field("maxSuggestions", "Suggestions per cart", "1 to 5")}
                </InlineGrid>
                <InlineGrid columns={{ xs: 1, md: 4 }} gap="400">
                  {choice("approvals", "Manager approval for discounts")}
                  {field("maxPercent", "Approval above this percent")}
                  {field("maxAmount", `Approval above this amount (${data.currency})`)}
                  {field("shiftLimit", `Manual discounts per shift (${data.currency})`)}
                </InlineGrid>
                <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                  {choice("returns", "Return checks")}
                  {choice("loyalty", "Loyalty offers")}
                </InlineGrid>
                <InlineStack align="end">
                  <Button submit variant="primary" loading={busy}>
                    Save
                  </Button>
                </InlineStack>
              </BlockStack>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <InlineGrid columns="1fr auto">
                  <Text as="h2" variant="headingMd">
                    Language model
                  </Text>
                  {data.ai.configured ? <Badge tone="success">Configured</Badge> : <Badge>Not configured</Badge>}
                </InlineGrid>
                {data.ai.configured ? (
                  <Form method="post" key={`ai:${data.ai.enabled}:${data.ai.dailyTokenBudget}`}>
                    <input type="hidden" name="intent" value="ai" />
                    <BlockStack gap="300">
                      <Text as="p">
                        Model {data.ai.model} at {data.ai.host}. It words pitch lines, reads return reasons and writes
                        shift notes; the copilot's own answers never wait for it, and no customer's personal data is
                        sent to it.
                      </Text>
                      <ChoiceInput
                        name="enabled"
                        label="AI for this shop"
                        initial={data.ai.enabled ? "on" : "off"}
                        options={[
                          { label: "Off", value: "off" },
                          { label: "On", value: "on" },
                        ]}
                      />
                      <TextInput
                        name="dailyTokenBudget"
                        label="Daily token budget"
                        type="number"
                        initial={String(data.ai.dailyTokenBudget)}
                        error={errors.dailyTokenBudget}
                        help={`${data.ai.usedToday.toLocaleString()} used today (UTC)`}
                      />
                      <InlineStack align="end">
                        <Button submit loading={busy}>
                          Save AI settings
                        </Button>
                      </InlineStack>
                    </BlockStack>
                  </Form>
                ) : (
                  <Text as="p" tone="subdued">
                    The copilot answers from its own engines. To add AI wording, set {data.ai.missing.join(" and ")} in
                    the app's environment (any OpenAI-compatible server).
                  </Text>
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Detailed settings
                </Text>
                <Link to="/app/suggestions">Suggestions: excluded tags and products</Link>
                <Link to="/app/approvals">Approvals: managers and PINs</Link>
                <Link to="/app/returns">Return policy</Link>
                <Link to="/app/loyalty">Loyalty program: tiers and rewards</Link>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
