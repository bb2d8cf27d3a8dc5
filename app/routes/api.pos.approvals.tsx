/**
 * POST /api/pos/approvals — a cart discount: applied at once under the limits, else a pending
 * request a manager decides on. GET ?locationId=&deviceId= — the register's view: limits, the
 * requests waiting for a manager (the tile's "1 approval waiting") and who can approve them.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { registerAction, registerLoader } from "../register-route.server";
import { approvalsOverview, requestDiscount } from "../services/approvals.server";
import { DiscountRequestSchema } from "../../shared/pos-contract.schema";

export const action = ({ request }: ActionFunctionArgs) =>
  registerAction(request, DiscountRequestSchema, ({ db, register, body, now }) =>
    requestDiscount(
      db,
      register,
      {
        lines: body.cart.lineItems,
        subtotalMinor: body.cart.subtotalMinor,
        discount: body.discount,
        reasonCode: body.reasonCode,
        note: body.note ?? null,
      },
      now,
    ),
  );

export const loader = ({ request }: LoaderFunctionArgs) =>
  registerLoader(request, ({ db, register, now }) => approvalsOverview(db, register, now));
