/**
 * The home page's setup checklist. Every step ticks itself from what the app can see (the
 * overview, polled) and, inside Shopify's admin, from App Bridge's `shopify.app.extensions()`
 * for whether the POS extension has been added to a register.
 */
import { Badge, BlockStack, Box, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { useQuery } from "@tanstack/react-query";
import type { HomeOverview } from "../services/admin-overview.server";

export const POS_EXTENSION_HANDLE = "register-copilot";

export interface SetupStep {
  id: string;
  title: string;
  done: boolean;
  detail: string;
  action?: { label: string; url: string; external?: boolean };
}

const when = (iso: string) => new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });

/** The steps, in the order a merchant does them. `posExtensionActive` is null when App Bridge cannot say. */
export function setupSteps(overview: HomeOverview, posExtensionActive: boolean | null, demo: boolean): SetupStep[] {
  const { shop, backfill, counts, model, setup, plan } = overview;
  const imported = backfill?.status === "completed" || (demo && (counts?.orders ?? 0) > 0);
  const onRegister = posExtensionActive === true || Boolean(setup?.registerSeenAt);
  const steps: SetupStep[] = [
    {
      id: "install",
      title: "Install Register Copilot",
      done: shop !== null,
      detail: shop ? `Installed ${when(shop.installedAt)}.` : "Finishing the install…",
    },
    {
      id: "history",
      title: "Import your order history",
      done: imported,
      detail: imported
        ? `${(counts?.orders ?? 0).toLocaleString()} orders to learn from.`
        : backfill?.status === "failed"
          ? "The import stopped; see below."
          : "Runs by itself after install; progress below.",
    },
    {
      id: "model",
      title: "Learn what sells together",
      done: model !== null,
      detail: model
        ? `Learned from ${model.basketCount.toLocaleString()} baskets on ${when(model.trainedAt)}${model.fresh ? "" : " (a refresh is due)"}.`
        : "Starts when the history is in.",
    },
    {
      id: "register",
      title: "Add the copilot to your POS register",
      done: onRegister,
      detail: onRegister
        ? setup?.registerSeenAt
          ? `First used at a register ${when(setup.registerSeenAt)}.`
          : "Added to the register."
        : "On the register, edit the smart grid and add the Register Copilot tile.",
      action: demo ? { label: "Open the register preview", url: "/preview" } : undefined,
    },
    {
      id: "managers",
      title: "Enrol a manager's PIN for discount approvals",
      done: (setup?.managers ?? 0) > 0,
      detail: setup?.managers
        ? `${setup.managers} enrolled.`
        : "Managers approve big discounts on the register with it.",
      action: { label: "Managers", url: "/app/approvals" },
    },
    {
      id: "returns",
      title: "Review the return policy",
      done: (setup?.returnPolicyVersion ?? 0) > 0,
      detail: setup?.returnPolicyVersion
        ? `Version ${setup.returnPolicyVersion} in force.`
        : "The defaults apply until you save it.",
      action: { label: "Return policy", url: "/app/returns" },
    },
    {
      id: "loyalty",
      title: "Set up loyalty tiers and rewards",
      done: setup?.loyaltySaved ?? false,
      detail: setup?.loyaltySaved ? "Program saved." : "The default program applies until you save it.",
      action: { label: "Loyalty", url: "/app/loyalty" },
    },
  ];
  if (plan && plan.kind !== "demo") {
    steps.push({
      id: "plan",
      title: "Choose a plan",
      done: plan.kind === "active" || plan.kind === "trial",
      detail:
        plan.kind === "active" || plan.kind === "trial"
          ? `${plan.name}${plan.kind === "trial" ? `, trial until ${when(plan.trialEndsAt)}` : ""}.`
          : "Plans are chosen on Shopify's page, billed by Shopify.",
      action: { label: "Plans", url: plan.url, external: true },
    });
  }
  return steps;
}

/** The part of App Bridge's global this page uses (App API: `shopify.app.extensions()`). */
interface AppBridgeWithExtensions {
  app?: {
    extensions?: () => Promise<Array<{ handle: string; type: string; activations: Array<{ target?: string }> }>>;
  };
}

/** Whether the POS extension is added to a register, from App Bridge; null outside Shopify's admin. */
export function usePosExtensionActive(embedded: boolean) {
  return useQuery({
    queryKey: ["app-bridge", "extensions"],
    enabled: embedded,
    refetchInterval: 15_000,
    queryFn: async (): Promise<boolean | null> => {
      const extensions = (globalThis as { shopify?: AppBridgeWithExtensions }).shopify?.app?.extensions;
      if (typeof extensions !== "function") return null;
      return (await extensions()).some(
        (extension) =>
          extension.handle === POS_EXTENSION_HANDLE &&
          extension.type === "ui_extension" &&
          extension.activations.some((activation) => activation.target?.startsWith("pos.")),
      );
    },
  });
}

export function SetupChecklist({ steps }: { steps: SetupStep[] }) {
  const done = steps.filter((step) => step.done).length;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Setup
          </Text>
          <Text as="span" tone="subdued">
            {done} of {steps.length} done
          </Text>
        </InlineStack>
        <ProgressBar progress={Math.round((done / steps.length) * 100)} tone="success" size="small" />
        <BlockStack gap="200" as="ul">
          {steps.map((step) => (
            <Box as="li" key={step.id} paddingBlock="100">
              <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
                <BlockStack gap="050">
                  {/* align set here: a nested InlineStack would otherwise take its parent's. */}
                  <InlineStack gap="200" blockAlign="center" align="start">
                    {step.done ? <Badge tone="success">Done</Badge> : <Badge tone="attention">To do</Badge>}
                    <Text as="h3" variant="headingSm">
                      {step.title}
                    </Text>
                  </InlineStack>
                  <Text as="p" tone="subdued">
                    {step.detail}
                  </Text>
                </BlockStack>
                {step.action && (
                  <Button url={step.action.url} target={step.action.external ? "_top" : undefined} size="slim">
                    {step.action.label}
                  </Button>
                )}
              </InlineStack>
            </Box>
          ))}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
