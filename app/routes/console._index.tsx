/**
 * /console — the Square and Clover merchants' console (they have no Shopify admin): pair a
 * register panel with a one-time code, see the paired panels, unpair one. Signed in by
 * connecting through the platform's OAuth (console-auth.server.ts).
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "../console/console.css?url";
import { requireConsoleShop } from "../console-auth.server";
import { getDb } from "../db.server";
import { fieldErrorsResponse } from "../http.server";
import {
  changeRegisterPanels,
  pairedPanels,
  RegisterPanelsFormSchema,
  type RegisterPanelsResult,
} from "../services/register-panels.server";

export const meta: MetaFunction = () => [{ title: "Register panels · Register Copilot" }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

const PLATFORM_NAMES: Record<string, string> = { square: "Square", clover: "Clover" };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const shop = await requireConsoleShop(request);
  return {
    shop: { name: shop.name ?? shop.domain, platform: PLATFORM_NAMES[shop.platform] ?? shop.platform },
    locations: shop.locations.map((l) => ({ externalId: l.externalId, name: l.name ?? l.externalId })),
    devices: await pairedPanels(getDb(), shop.id),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const shop = await requireConsoleShop(request);
  const parsed = RegisterPanelsFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  return changeRegisterPanels(getDb(), shop, parsed.data, `merchant:${shop.platform}:${shop.domain}`, new Date());
};

const when = (value: Date | string | null) =>
  value ? new Date(value).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" }) : "never";

export default function ConsolePage() {
  const { shop, locations, devices } = useLoaderData<typeof loader>();
  const result = useActionData<RegisterPanelsResult>();
  const busy = useNavigation().state !== "idle";
  const locationName = (id: string) => locations.find((l) => l.externalId === id)?.name ?? id;
  return (
    <main className="console">
      <header>
        <div>
          <h1>Register Copilot</h1>
          <p className="muted">
            {shop.name} · {shop.platform}
          </p>
        </div>
        <Form method="post" action="/console/sign-out">
          <button type="submit">Sign out</button>
        </Form>
      </header>
      <section className="card" aria-labelledby="pair-heading">
        <h2 id="pair-heading">Pair a register panel</h2>
        <p className="muted">
          On the register tablet, open <strong>/panel</strong> in the browser (add it to the home screen to use it like
          an app) and type the code shown here. A code works once, for 10 minutes.
        </p>
        <Form method="post">
          <input type="hidden" name="intent" value="issue" />
          <label htmlFor="location">Location</label>
          <select id="location" name="locationExternalId" defaultValue={locations[0]?.externalId}>
            {locations.map((l) => (
              <option key={l.externalId} value={l.externalId}>
                {l.name}
              </option>
            ))}
          </select>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || locations.length === 0}>
              Get a pairing code
            </button>
          </div>
        </Form>
        <div aria-live="polite">
          {result?.code ? (
            <p className="notice">
              Pairing code: <span className="code">{result.code}</span>
              <br />
              Valid until {when(result.expiresAt ?? null)}.
            </p>
          ) : null}
          {result?.fieldErrors ? <p className="error">{Object.values(result.fieldErrors).join("; ")}</p> : null}
          {result?.revoked ? <p className="notice">Unpaired. That panel stops working at its next request.</p> : null}
        </div>
      </section>
      <section className="card" aria-labelledby="panels-heading">
        <h2 id="panels-heading">Paired panels</h2>
        {devices.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Panel</th>
                <th scope="col">Location</th>
                <th scope="col">Paired</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span className="muted">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {devices.map((device) => (
                <tr key={device.id}>
                  <td>{device.name}</td>
                  <td>{locationName(device.locationExternalId)}</td>
                  <td>{when(device.createdAt)}</td>
                  <td>{when(device.lastSeenAt)}</td>
                  <td>
                    <Form method="post">
                      <input type="hidden" name="intent" value="revoke" />
                      <input type="hidden" name="deviceId" value={device.id} />
                      <button type="submit" className="danger" aria-label={`Unpair ${device.name}`}>
                        Unpair
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
