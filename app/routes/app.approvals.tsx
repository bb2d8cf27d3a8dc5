/**
 * Admin: the requests waiting for a manager (live; approve or decline with your own PIN), approval
 * limits per location (with the kill switch), managers and their PINs, and the audit log (filter,
 * verify the chain, CSV export).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
} from "@shopify/polaris";
import { requireAdminShop } from "../admin-auth.server";
import { ChoiceInput, TextInput } from "../components/FormInputs";
import { LocationScopeSelect } from "../components/LocationScopeSelect";
import { PendingApprovalsCard } from "../components/PendingApprovalsCard";
import { getDb } from "../db.server";
import { fieldErrorsResponse } from "../http.server";
import { env } from "../env.server";
import {
  ApprovalError,
  approvalLimitsFor,
  decideApproval,
  disableManager,
  enrolManager,
  pendingApprovals,
  resetManagerPin,
  saveApprovalPolicy,
  type RegisterContext,
} from "../services/approvals.server";
import { listAuditEvents, verifyAuditChain, type ChainVerdict } from "../services/audit.server";
import { ApprovalsAdminFormSchema, type ApprovalsAdminForm } from "../../shared/approval-settings";

export const meta: MetaFunction = () => [{ title: "Approvals · Register Copilot" }];

async function shopFor(request: Request) {
  const { admin, shop } = await requireAdminShop(request);
  return { shop, admin, actor: `admin:${admin.userId ?? "unknown"}` };
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await shopFor(request);
  const params = new URL(request.url).searchParams;
  const location = params.get("location") ?? "";
  const locationExternalId = shop.locations.some((l) => l.externalId === location) ? location : "";
  const now = new Date();
  const db = getDb();
  const [limits, managers, pending, audit] = await Promise.all([
    approvalLimitsFor(db, shop.id, locationExternalId || null),
    db.manager.findMany({ where: { shopId: shop.id }, orderBy: { name: "asc" } }),
    pendingApprovals(db, shop.id, null, now),
    listAuditEvents(db, shop.id, { type: params.get("type"), limit: 100 }),
  ]);
  return {
    currency: shop.currency,
    locations: shop.locations,
    locationExternalId,
    limits,
    managers: managers.map((m) => ({
      id: m.id,
      name: m.name,
      role: m.role,
      staffMemberId: m.staffMemberId,
      locations: JSON.parse(m.locations) as string[],
      locked: !!m.lockedUntil && m.lockedUntil > now,
      disabled: !!m.disabledAt,
    })),
    pending,
    audit,
    auditType: params.get("type") ?? "",
  };
};

type ActionResult = {
  done?: string;
  fieldErrors?: Record<string, string>;
  verdict?: ChainVerdict;
  requestId?: string;
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor, admin } = await shopFor(request);
  const parsed = ApprovalsAdminFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  const form = parsed.data;
  const db = getDb();
  const now = new Date();
  const pepper = env().MANAGER_PIN_PEPPER;
  const notLocation = (id: string) => id !== "" && !shop.locations.some((l) => l.externalId === id);
  switch (form.intent) {
    case "policy":
      if (notLocation(form.locationExternalId)) {
        return Response.json({ fieldErrors: { locationExternalId: "not a location of this shop" } }, { status: 400 });
      }
      await saveApprovalPolicy(db, shop.id, form, actor, now);
      return { done: "Limits saved" } satisfies ActionResult;
    case "enrol": {
      const unknown = form.locations.find(notLocation);
      if (unknown)
        return Response.json(
          { fieldErrors: { locations: `${unknown} is not a location of this shop` } },
          { status: 400 },
        );
      await enrolManager(db, shop.id, form, pepper, actor, now);
      return { done: `${form.name} can approve now` } satisfies ActionResult;
    }
    case "reset-pin":
      if (!(await resetManagerPin(db, shop.id, form.managerId, form.pin, pepper, actor, now))) {
        return Response.json({ fieldErrors: { managerId: "no such manager" } }, { status: 404 });
      }
      return { done: "PIN changed" } satisfies ActionResult;
    case "disable":
      if (!(await disableManager(db, shop.id, form.managerId, actor, now))) {
        return Response.json({ fieldErrors: { managerId: "no such active manager" } }, { status: 404 });
      }
      return { done: "Manager can no longer approve" } satisfies ActionResult;
    case "decide":
      return decideFromAdmin(shop, admin.userId, form, pepper, now);
    case "verify":
      return { verdict: await verifyAuditChain(db, shop.id) } satisfies ActionResult;
  }
};

/**
 * A manager approves or declines from the admin with their own PIN: the same rules, lockouts and
 * audit as on a register; the admin user is the "device", and the asking register collects the token.
 */
async function decideFromAdmin(
  shop: { id: string; currency: string },
  userId: string | null,
  form: Extract<ApprovalsAdminForm, { intent: "decide" }>,
  pepper: string,
  now: Date,
) {
  const register: RegisterContext = {
    shopId: shop.id,
    currency: shop.currency,
    locationExternalId: null,
    deviceId: `admin:${userId ?? "unknown"}`,
    userId,
    staffMemberId: null,
  };
  try {
    const outcome = await decideApproval(
      getDb(),
      register,
      form.requestId,
      { decision: form.decision, pin: form.pin, approverId: form.approverId, reason: form.reason || null },
      pepper,
      now,
    );
    const done = outcome.status === "approved" ? "Approved: the register applies the discount" : "Declined";
    return { done, requestId: form.requestId } satisfies ActionResult;
  } catch (error) {
    if (!(error instanceof ApprovalError)) throw error;
    const field = error.code === "pin_refused" ? "pin" : "form";
    return Response.json(
      { fieldErrors: { [field]: error.message }, requestId: form.requestId } satisfies ActionResult,
      { status: error.status },
    );
  }
}

export default function ApprovalsAdmin() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = result?.fieldErrors ?? {};
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const [, setSearchParams] = useSearchParams();
  const locationName = (id: string | null) => data.locations.find((l) => l.externalId === id)?.name ?? id ?? "—";

  return (
    <Page title="Approvals" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.done && <Banner tone="success" title={result.done} />}
            {result?.verdict && (
              <Banner
                tone={result.verdict.ok ? "success" : "critical"}
                title={
                  result.verdict.ok
                    ? `Audit log intact: ${result.verdict.checked} events verified`
                    : `Audit log tampered at event #${result.verdict.firstBad!.seq}: ${result.verdict.firstBad!.reason}`
                }
              />
            )}
            <PendingApprovalsCard
              initial={data.pending}
              approvers={data.managers.filter((m) => !m.disabled)}
              locationName={locationName}
              currency={data.currency}
            />
            <LimitsCard
              locations={data.locations}
              locationExternalId={data.locationExternalId}
              limits={data.limits}
              currency={data.currency}
              errors={errors}
              busy={busy}
            />

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Managers
                </Text>
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={["Name", "Role", "Staff member", "Locations", "Status"]}
                  rows={data.managers.map((m) => [
                    m.name,
                    m.role,
                    m.staffMemberId ?? "—",
                    m.locations.length ? m.locations.map(locationName).join(", ") : "All",
                    m.disabled ? (
                      <Badge key="s">Disabled</Badge>
                    ) : m.locked ? (
                      <Badge key="s" tone="critical">
                        Locked (wrong PINs)
                      </Badge>
                    ) : (
                      <Badge key="s" tone="success">
                        Active
                      </Badge>
                    ),
                  ])}
                />
                {/* Emptied once a manager is enrolled (the list grows), never before: a refused form keeps what was typed. */}
                <EnrolManagerForm key={data.managers.length} errors={errors} busy={busy} />
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between">
                  <Text as="h2" variant="headingMd">
                    Audit log
                  </Text>
                  <InlineStack gap="200">
                    <Form method="post">
                      <input type="hidden" name="intent" value="verify" />
                      <Button submit loading={busy}>
                        Verify chain
                      </Button>
                    </Form>
                    <Button
                      url={`/app/audit.csv${data.auditType ? `?type=${encodeURIComponent(data.auditType)}` : ""}`}
                    >
                      Export CSV
                    </Button>
                    <Button url="/app/security.csv">Refused requests (CSV)</Button>
                  </InlineStack>
                </InlineStack>
                <Select
                  label="Show"
                  options={[
                    { label: "Everything", value: "" },
                    { label: "Approvals", value: "approval." },
                    { label: "Discounts applied", value: "discount.applied" },
                    { label: "Lockouts", value: "lockout." },
                    { label: "Managers", value: "manager." },
                    { label: "Policy changes", value: "policy.changed" },
                    { label: "Kill switch", value: "killswitch.changed" },
                    { label: "Register panels", value: "pairing." },
                  ]}
                  value={data.auditType}
                  onChange={(value) => setSearchParams(value ? { type: value } : {})}
                />
                <DataTable
                  columnContentTypes={["numeric", "text", "text", "text", "text"]}
                  headings={["#", "When", "What", "Who", "Details"]}
                  rows={data.audit.map((event) => [
                    event.seq,
                    new Date(event.createdAt).toLocaleString(),
                    event.type,
                    event.actor,
                    JSON.stringify(event.data).slice(0, 120),
                  ])}
                />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

type Limits = ReturnType<typeof useLoaderData<typeof loader>>["limits"];

/**
 * The limits form keeps its fields' state to itself: typing in one re-renders this card, not the
 * whole page (with its audit log of up to 100 rows).
 */
function LimitsCard({
  locations,
  locationExternalId,
  limits,
  currency,
  errors,
  busy,
}: {
  locations: Array<{ externalId: string; name: string }>;
  locationExternalId: string;
  limits: Limits;
  currency: string;
  errors: Record<string, string>;
  busy: boolean;
}) {
  return (
    <Card>
      {/* Remounted per location (and after a save) so its inputs start from what is stored. */}
      <Form method="post" key={`${locationExternalId}:${JSON.stringify(limits)}`}>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Limits
          </Text>
          <input type="hidden" name="intent" value="policy" />
          <LocationScopeSelect locations={locations} value={locationExternalId} error={errors.locationExternalId} />
          <ChoiceInput
            name="enabled"
            label="Discount approvals"
            initial={limits.enabled ? "on" : "off"}
            options={[
              { label: "On", value: "on" },
              { label: "Off (the register shows nothing for discounts)", value: "off" },
            ]}
          />
          <InlineGrid columns={{ xs: 1, md: 4 }} gap="300">
            <TextInput
              name="maxPercent"
              label="Approval above (% of the cart)"
              type="number"
              initial={String(limits.maxPercent)}
              error={errors.maxPercent}
            />
            <TextInput
              name="maxAmount"
              label={`…or above (${currency})`}
              type="number"
              initial={String(limits.maxAmountMinor / 100)}
              error={errors.maxAmount}
            />
            <TextInput
              name="shiftLimit"
              label={`Per staff member per shift (${currency})`}
              type="number"
              initial={String(limits.shiftLimitMinor / 100)}
              error={errors.shiftLimit}
            />
            <TextInput
              name="shiftHours"
              label="Shift length (hours)"
              type="number"
              initial={String(limits.shiftHours)}
              error={errors.shiftHours}
            />
          </InlineGrid>
          <InlineStack>
            <Button submit variant="primary" loading={busy}>
              Save limits
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

/** Enrolling a manager, with its own fields' state (see LimitsCard). */
function EnrolManagerForm({ errors, busy }: { errors: Record<string, string>; busy: boolean }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="enrol" />
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          Enrol a manager
        </Text>
        <InlineGrid columns={{ xs: 1, md: 5 }} gap="300">
          <TextInput name="name" label="Name" type="text" initial="" error={errors.name} />
          <ChoiceInput
            name="role"
            label="Role"
            initial="manager"
            options={["manager", "supervisor", "owner"].map((value) => ({ label: value, value }))}
          />
          <TextInput
            name="staffMemberId"
            label="POS staff member id"
            type="text"
            initial=""
            error={errors.staffMemberId}
          />
          <TextInput
            name="locations"
            label="Location ids (empty: all)"
            type="text"
            initial=""
            error={errors.locations}
          />
          <TextInput name="pin" label="PIN (4–10 digits)" type="password" initial="" error={errors.pin} />
        </InlineGrid>
        <InlineStack>
          <Button submit loading={busy}>
            Enrol
          </Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}
