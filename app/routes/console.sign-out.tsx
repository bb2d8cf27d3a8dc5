/** POST /console/sign-out — ends the merchant console's session. */
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { clearConsoleSessionCookie } from "../console-auth.server";

export const action = async (_args: ActionFunctionArgs) =>
  redirect("/console/sign-in", { headers: { "Set-Cookie": clearConsoleSessionCookie() } });

export const loader = () => redirect("/console/sign-in");
