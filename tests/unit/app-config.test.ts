import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WEBHOOK_TOPICS } from "../../app/services/webhooks.server";

const root = path.resolve(__dirname, "../..");
const toml = fs.readFileSync(path.join(root, "shopify.app.toml"), "utf8");

function subscriptions(): Array<{ topic: string; uri: string; compliance: boolean }> {
  const blocks = toml.split("[[webhooks.subscriptions]]").slice(1);
  return blocks.map((block) => {
    const topic = /(compliance_topics|topics)\s*=\s*\[\s*"([^"]+)"\s*\]/.exec(block);
    const uri = /uri\s*=\s*"([^"]+)"/.exec(block);
    if (!topic || !uri) throw new Error(`unreadable subscription block: ${block}`);
    return { topic: topic[2]!, uri: uri[1]!, compliance: topic[1] === "compliance_topics" };
  });
}

describe("shopify.app.toml", () => {
  it("subscribes to every topic the app handles, each at its own route", () => {
    const declared = subscriptions();
    expect(declared.map((s) => s.topic).sort()).toEqual([...WEBHOOK_TOPICS].sort());
    for (const { topic, uri } of declared) {
      expect(uri).toBe(`/webhooks/${topic}`);
      const routeFile = path.join(root, "app/routes", `webhooks.${topic.replace("/", ".")}.tsx`);
      expect(fs.existsSync(routeFile), `${routeFile} for ${topic}`).toBe(true);
    }
  });

  it("declares the three mandatory compliance topics as compliance topics", () => {
    const compliance = subscriptions()
      .filter((s) => s.compliance)
      .map((s) => s.topic);
    expect(compliance.sort()).toEqual(["customers/data_request", "customers/redact", "shop/redact"]);
  });

  it("turns POS embedding on and asks only for read scopes, the same ones as .env.example", () => {
    expect(toml).toMatch(/\[pos\]\s*\nembedded = true/);
    const scopes = /scopes = "([^"]+)"/.exec(toml)![1]!.split(",");
    expect(scopes.every((scope) => scope.startsWith("read_"))).toBe(true);
    const example = fs.readFileSync(path.join(root, ".env.example"), "utf8");
    expect(/^SCOPES=(.*)$/m.exec(example)![1]!.split(",")).toEqual(scopes);
  });
});
