import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { requireAdmin } from "../admin-auth.server";
import { env } from "../env.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

// Pages without their own title (home) get the app's name.
export const meta: MetaFunction = () => [{ title: "Register Copilot" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  return { apiKey: env().SHOPIFY_API_KEY, demo: admin.demo, shopDomain: admin.shopDomain };
};

export default function AdminLayout() {
  const { apiKey, demo } = useLoaderData<typeof loader>();
  // One client per page load: live data (waiting approvals, backfill progress) polls through it.
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1 } } }));
  // Offline (demo mode, tests) App Bridge cannot load from Shopify's CDN: plain Polaris then.
  return (
    <AppProvider isEmbeddedApp={!demo} apiKey={apiKey}>
      {!demo && (
        <NavMenu>
          <Link to="/app" rel="home">
            Home
          </Link>
          <Link to="/app/suggestions">Suggestions</Link>
          <Link to="/app/approvals">Approvals</Link>
          <Link to="/app/returns">Returns</Link>
          <Link to="/app/loyalty">Loyalty</Link>
          <Link to="/app/analytics">Analytics</Link>
          <Link to="/app/shift">Shift summary</Link>
          <Link to="/app/registers">Register panels</Link>
          <Link to="/app/settings">Settings</Link>
        </NavMenu>
      )}
      <QueryClientProvider client={queryClient}>
        <Outlet />
      </QueryClientProvider>
    </AppProvider>
  );
}

// Shopify needs its own boundary and headers so auth redirects work inside the admin iframe.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
