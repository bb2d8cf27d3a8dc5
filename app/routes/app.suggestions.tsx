import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { requireAdminShop } from "../admin-auth.server";
import { LocationScopeSelect } from "../components/LocationScopeSelect";
import { getDb } from "../db.server";
import { fieldErrorsResponse } from "../http.server";
import { saveSuggestionSettings, suggestionReport, suggestionSettingsFor } from "../services/suggestions.server";
import { SuggestionSettingsFormSchema } from "../../shared/suggestion-settings";
import { formatMoney } from "../../shared/money";

export const meta: MetaFunction = () => [{ title: "Suggestions · Register Copilot" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminShop(request);
  const location = new URL(request.url).searchParams.get("location") ?? "";
  const valid = location === "" || shop.locations.some((l) => l.externalId === location);
  const locationExternalId = valid ? location : "";
  const settings = await suggestionSettingsFor(getDb(), shop.id, locationExternalId || null);
  const report = await suggestionReport(getDb(), shop.id, new Date());
  return { currency: shop.currency, locations: shop.locations, locationExternalId, settings, report };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdminShop(request);
  const parsed = SuggestionSettingsFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  if (parsed.data.locationExternalId && !shop.locations.some((l) => l.externalId === parsed.data.locationExternalId)) {
    return Response.json({ fieldErrors: { locationExternalId: "not a location of this shop" } }, { status: 400 });
  }
  await saveSuggestionSettings(getDb(), shop.id, parsed.data);
  return { saved: true as const };
};

export default function SuggestionsSettings() {
  const { currency, locations, locationExternalId, settings, report } = useLoaderData<typeof loader>();
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency });
  const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

  return (
    <Page title="Suggestions" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          {/* Keyed by location: choosing another location shows that location's settings. */}
          <SettingsForm
            key={locationExternalId}
            locations={locations}
            locationExternalId={locationExternalId}
            settings={settings}
          />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Last 14 days: {report.totals.added} added of {report.totals.shown} shown (
                {percent(report.totals.addedRate)}), {money(report.totals.attributedRevenueMinor)} attributed
              </Text>
              <Text as="p" tone="subdued">
                Revenue is attributed when a suggested item sells at the same location within 30 minutes of being shown.
              </Text>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Day", "Shown", "Added", "Added rate", "Attributed revenue"]}
                rows={report.days.map((day) => [
                  day.day,
                  day.shown,
                  day.added,
                  percent(day.addedRate),
                  money(day.attributedRevenueMinor),
                ])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function SettingsForm({
  locations,
  locationExternalId,
  settings,
}: {
  locations: Array<{ externalId: string; name: string }>;
  locationExternalId: string;
  settings: ReturnType<typeof useLoaderData<typeof loader>>["settings"];
}) {
  const result = useActionData<{ saved?: true; fieldErrors?: Record<string, string> }>();
  const errors = result?.fieldErrors ?? {};
  const navigation = useNavigation();
  const [enabled, setEnabled] = useState(settings.enabled ? "on" : "off");
  const [maxSuggestions, setMaxSuggestions] = useState(String(settings.maxSuggestions));
  const [tags, setTags] = useState(settings.excludedTags.join(", "));
  const [products, setProducts] = useState(settings.excludedProductIds.join(", "));
  return (
    <Card>
      <Form method="post">
        <BlockStack gap="300">
          {result?.saved && <Banner tone="success" title="Saved" />}
          <LocationScopeSelect locations={locations} value={locationExternalId} error={errors.locationExternalId} />
          <Select
            label="Suggestions at the register"
            name="enabled"
            options={[
              { label: "On", value: "on" },
              { label: "Off (the register shows nothing for suggestions)", value: "off" },
            ]}
            value={enabled}
            onChange={setEnabled}
            error={errors.enabled}
          />
          <TextField
            label="How many suggestions"
            name="maxSuggestions"
            type="number"
            min={1}
            max={5}
            value={maxSuggestions}
            onChange={setMaxSuggestions}
            autoComplete="off"
            error={errors.maxSuggestions}
          />
          <TextField
            label="Never suggest products tagged"
            name="excludedTags"
            helpText="Comma-separated, e.g. alcohol, gift card"
            value={tags}
            onChange={setTags}
            autoComplete="off"
            error={errors.excludedTags}
          />
          <TextField
            label="Never suggest these product ids"
            name="excludedProductIds"
            helpText="Comma-separated numeric product ids"
            value={products}
            onChange={setProducts}
            autoComplete="off"
            error={errors.excludedProductIds}
          />
          <Button submit variant="primary" loading={navigation.state === "submitting"}>
            Save
          </Button>
        </BlockStack>
      </Form>
    </Card>
  );
}
