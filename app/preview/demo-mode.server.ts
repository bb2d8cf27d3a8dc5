/**
 * The register preview exists only in demo mode (fake credentials, refused at start-up with a
 * real API key). Everywhere else its pages and resource routes answer 404, as if absent.
 */
import { env } from "../env.server";

export function requireDemoMode(): void {
  if (!env().DEMO_MODE) throw new Response("Not Found", { status: 404, statusText: "Not Found" });
}
