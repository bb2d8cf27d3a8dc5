/** The approvals admin forms, shared by the admin page and the server (zod: server/admin only). */
import { z } from "zod";

const locationId = z.string().max(30).regex(/^\d*$/, "must be a location id or empty for all locations");
const money = (label: string) =>
  z.coerce
    .number({ message: `${label} must be a number` })
    .min(0, `${label} cannot be negative`)
    .max(1_000_000, `${label} is at most 1,000,000`)
    .transform((value) => Math.round(value * 100));

export const ApprovalPolicyFormSchema = z.strictObject({
  intent: z.literal("policy"),
  locationExternalId: locationId,
  enabled: z.enum(["on", "off"]).transform((value) => value === "on"),
  maxPercent: z.coerce.number({ message: "must be a number" }).min(0, "at least 0").max(100, "at most 100"),
  /** In the shop's currency (major units), stored in minor units. */
  maxAmount: money("the amount"),
  shiftLimit: money("the shift limit"),
  shiftHours: z.coerce.number().int("whole hours").min(1, "at least 1 hour").max(24, "at most 24 hours"),
});

export const ManagerEnrolFormSchema = z.strictObject({
  intent: z.literal("enrol"),
  name: z.string().trim().min(1, "a name is required").max(80, "at most 80 characters"),
  role: z.enum(["manager", "supervisor", "owner"]),
  staffMemberId: z.string().trim().max(30).regex(/^\d*$/, "a POS staff member id is a number"),
  locations: z
    .string()
    .max(2_000)
    .transform((text) =>
      text
        .split(/[,\s]+/)
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^\d+$/, "location ids are numbers")).max(100, "at most 100 locations")),
  pin: z.string().regex(/^\d{4,10}$/, "a PIN is 4 to 10 digits"),
});

export const ManagerPinResetFormSchema = z.strictObject({
  intent: z.literal("reset-pin"),
  managerId: z.string().min(1).max(100),
  pin: z.string().regex(/^\d{4,10}$/, "a PIN is 4 to 10 digits"),
});

export const ManagerDisableFormSchema = z.strictObject({
  intent: z.literal("disable"),
  managerId: z.string().min(1).max(100),
});

/** A manager deciding a waiting request from the admin, proven by their own PIN. */
export const ApprovalDecideFormSchema = z
  .strictObject({
    intent: z.literal("decide"),
    requestId: z.string().min(1).max(100),
    decision: z.enum(["approve", "decline"]),
    approverId: z.string().min(1, "choose who is approving").max(100),
    pin: z.string().regex(/^\d{4,10}$/, "a PIN is 4 to 10 digits"),
    reason: z.string().trim().max(200, "at most 200 characters").optional().default(""),
  })
  .refine((form) => form.decision === "approve" || form.reason.length > 0, {
    message: "say why, so the cashier can tell the customer",
    path: ["reason"],
  });

export const AuditVerifyFormSchema = z.strictObject({ intent: z.literal("verify") });

export const ApprovalsAdminFormSchema = z.discriminatedUnion("intent", [
  ApprovalPolicyFormSchema,
  ManagerEnrolFormSchema,
  ManagerPinResetFormSchema,
  ManagerDisableFormSchema,
  ApprovalDecideFormSchema,
  AuditVerifyFormSchema,
]);

export type ApprovalsAdminForm = z.infer<typeof ApprovalsAdminFormSchema>;
