/**
 * /console/sign-in — Square and Clover merchants sign in by connecting their store (OAuth proves
 * who they are). In demo mode, the demo Square seller's console opens without it.
 */
import {
  redirect,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import styles from "../console/console.css?url";
import { consoleSessionCookie } from "../console-auth.server";
import { getDb } from "../db.server";
import { env } from "../env.server";
import { configuredClover } from "../platforms/clover/config.server";
import { configuredSquare } from "../platforms/square/client.server";
import { requireDemoMode } from "../preview/demo-mode.server";
import { DEMO_SQUARE_STORE } from "../../shared/demo-store";

export const meta: MetaFunction = () => [{ title: "Sign in · Register Copilot" }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

export const loader = (_args: LoaderFunctionArgs) => ({
  square: configuredSquare() !== null,
  clover: configuredClover() !== null,
  demo: env().DEMO_MODE,
});

/** Demo mode only: into the demo Square seller's console. */
export const action = async (_args: ActionFunctionArgs) => {
  requireDemoMode();
  const shop = await getDb().shop.findUnique({
    where: { platform_domain: { platform: "square", domain: DEMO_SQUARE_STORE.domain } },
    select: { id: true },
  });
  if (!shop) throw new Response("The demo Square seller is not seeded: run npm run demo", { status: 503 });
  return redirect("/console", { headers: { "Set-Cookie": consoleSessionCookie(shop.id, new Date()) } });
};

export default function ConsoleSignIn() {
  const { square, clover, demo } = useLoaderData<typeof loader>();
  return (
    <main className="console">
      <h1>Register Copilot</h1>
      <section className="card" aria-labelledby="sign-in-heading">
        <h2 id="sign-in-heading">Sign in with your store</h2>
        <p className="muted">
          Square and Clover stores manage their register panels here. Shopify stores use the app in the Shopify admin.
        </p>
        <div className="actions">
          {square ? (
            <a className="button primary" href="/connect/square">
              Sign in with Square
            </a>
          ) : null}
          {clover ? (
            <a className="button primary" href="/connect/clover">
              Sign in with Clover
            </a>
          ) : null}
          {!square && !clover && !demo ? <p>This app is not set up for Square or Clover stores.</p> : null}
        </div>
        {demo ? (
          <Form method="post" className="actions">
            <button type="submit">Open the demo Square seller&apos;s console</button>
          </Form>
        ) : null}
      </section>
    </main>
  );
}
