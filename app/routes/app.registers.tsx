/**
 * Admin: register panels. Issue a one-time pairing code for a location (shown once, valid 10
 * minutes), see which panels are paired and when they were last seen, and unpair one.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { requireAdminShop } from "../admin-auth.server";
import { ChoiceInput } from "../components/FormInputs";
import { getDb } from "../db.server";
import { fieldErrorsResponse } from "../http.server";
import {
  changeRegisterPanels,
  pairedPanels,
  RegisterPanelsFormSchema,
  type RegisterPanelsResult,
} from "../services/register-panels.server";

export const meta: MetaFunction = () => [{ title: "Register panels · Register Copilot" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminShop(request);
  return { locations: shop.locations, devices: await pairedPanels(getDb(), shop.id) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, admin } = await requireAdminShop(request);
  const parsed = RegisterPanelsFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  return changeRegisterPanels(getDb(), shop, parsed.data, `admin:${admin.userId ?? "unknown"}`, new Date());
};

const when = (value: Date | string | null) =>
  value ? new Date(value).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" }) : "never";

export default function RegistersPage() {
  const { locations, devices } = useLoaderData<typeof loader>();
  const result = useActionData<RegisterPanelsResult>();
  const busy = useNavigation().state !== "idle";
  const locationName = (id: string) => locations.find((l) => l.externalId === id)?.name ?? id;
  return (
    <Page title="Register panels" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="post">
              <input type="hidden" name="intent" value="issue" />
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Pair a register panel
                </Text>
                <Text as="p" tone="subdued">
                  Open the copilot panel on the register tablet and type the code shown here. It works once, for 10
                  minutes.
                </Text>
                <ChoiceInput
                  name="locationExternalId"
                  label="Location"
                  initial={locations[0]?.externalId ?? ""}
                  options={locations.map((l) => ({ label: l.name, value: l.externalId }))}
                />
                {result?.fieldErrors && (
                  <Banner tone="critical" title="Not done">
                    <p>{Object.values(result.fieldErrors).join("; ")}</p>
                  </Banner>
                )}
                {result?.code && (
                  <Banner tone="success" title={`Pairing code: ${result.code}`}>
                    <p>Valid until {when(result.expiresAt ?? null)}.</p>
                  </Banner>
                )}
                <InlineStack align="end">
                  <Button submit variant="primary" loading={busy}>
                    Get a pairing code
                  </Button>
                </InlineStack>
              </BlockStack>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Paired panels
              </Text>
              {devices.length === 0 ? (
                <Text as="p" tone="subdued">
                  None yet.
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={["Panel", "Location", "Paired", "Last seen", ""]}
                  rows={devices.map((device) => [
                    device.name,
                    locationName(device.locationExternalId),
                    when(device.createdAt),
                    when(device.lastSeenAt),
                    <Form method="post" key={device.id}>
                      <input type="hidden" name="intent" value="revoke" />
                      <input type="hidden" name="deviceId" value={device.id} />
                      <Button submit size="slim" tone="critical" accessibilityLabel={`Unpair ${device.name}`}>
                        Unpair
                      </Button>
                    </Form>,
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
