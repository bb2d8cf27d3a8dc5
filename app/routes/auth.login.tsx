import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";
import { env } from "../env.server";
import { login } from "../shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

function loginErrorMessage(errors: Awaited<ReturnType<typeof login>> | undefined): string | undefined {
  if (!errors || errors instanceof Response) return undefined;
  if (errors.shop === "MISSING_SHOP") return "Enter your shop domain to log in";
  if (errors.shop === "INVALID_SHOP") return "That is not a valid myshopify.com domain";
  return undefined;
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  if (env().DEMO_MODE) throw redirect("/app");
  return { error: loginErrorMessage(await login(request)) };
};

export const action = async ({ request }: ActionFunctionArgs) => ({ error: loginErrorMessage(await login(request)) });

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const error = actionData?.error ?? loaderData.error;
  return (
    <AppProvider i18n={polarisTranslations}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h2">
                Log in to Register Copilot
              </Text>
              <TextField
                type="text"
                name="shop"
                label="Shop domain"
                helpText="example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={error}
              />
              <Button submit>Log in</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </AppProvider>
  );
}
