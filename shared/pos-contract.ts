/**
 * The contract between the POS extension and `/api/pos/*`. Types only: the extension imports
 * this file, and anything with a runtime (zod) would land in its 64 KB bundle. The server-side
 * schema for the same shapes is shared/pos-contract.schema.ts.
 */

/** Where the order-history import stands (latest BackfillRun), null when none ever ran. */
export interface PosBackfillState {
  status: "pending" | "running" | "completed" | "failed" | (string & {});
  ordersImported: number;
  startedAt: string;
  finishedAt: string | null;
}

/** GET /api/pos/status: is the copilot ready for this register's shop? */
export interface PosStatusResponse {
  shop: {
    /** myshopify domain, taken from the verified session token's `dest`. */
    domain: string;
    name: string | null;
    currency: string;
    /** The app has a row for this shop (install hook or demo seed ran). */
    known: boolean;
    /** Known and not uninstalled. */
    installed: boolean;
  };
  catalog: {
    /** Active, not deleted products the copilot can suggest. */
    products: number;
    variants: number;
  };
  /** ISO time of the newest order the copilot has learned from. */
  lastOrderAt: string | null;
  backfill: PosBackfillState | null;
  /** ISO time the answer was computed, so a stale cached answer can be spotted. */
  checkedAt: string;
}

/** One error shape for every /api/pos/* failure that the app itself answers. */
export interface PosErrorResponse {
  error: { code: string; message: string };
}
