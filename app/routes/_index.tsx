import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { env } from "../env.server";

// Shopify opens the app at / with ?shop=…; the admin lives under /app.
export const loader = ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (env().DEMO_MODE || url.searchParams.get("shop")) throw redirect(`/app${url.search}`);
  throw redirect("/auth/login");
};
