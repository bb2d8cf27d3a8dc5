/**
 * /preview — the register preview (demo mode only): the real POS extension running against a
 * simulated register and the demo store, for demos and browser tests. Not Shopify POS.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getDb } from "../db.server";
import { requireDemoMode } from "../preview/demo-mode.server";
import { previewRegister } from "../preview/register.server";
import { RegisterPreview } from "../preview/RegisterPreview";
import styles from "../preview/preview.css?url";

export const meta: MetaFunction = () => [{ title: "Register preview — not Shopify POS" }];

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  // No favicon request (the app ships none): keeps the server log free of 404 noise.
  { rel: "icon", href: "data:," },
];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  requireDemoMode();
  const query = new URL(request.url).searchParams;
  return previewRegister(getDb(), {
    appPermissionDenied: query.get("appPermission") === "denied",
    backendOffline: query.get("backend") === "offline",
  });
};

export default function PreviewRoute() {
  return <RegisterPreview register={useLoaderData<typeof loader>()} />;
}
