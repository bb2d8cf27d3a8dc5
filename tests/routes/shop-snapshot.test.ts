import { describe, expect, it, vi } from "vitest";
import { getDb } from "../../app/db.server";
import { upsertProduct } from "../../app/services/store.server";
import { markShopSnapshotStale, shopSnapshot, stockKey } from "../../app/services/shop-snapshot.server";
import { createInventoryLevel, createProduct, createShop } from "../factories";

const db = getDb();
const REFRESH_MS = 2_000;
const STORE = "4242";

describe("a serving process's in-memory view of a shop", () => {
  it("serves from memory between refreshes, refreshes in the background when due, and waits when far behind", async () => {
    const shop = await createShop(db, { domain: "snapshot-shop.myshopify.com" });
    const product = await createProduct(db, shop.id, { title: "Pasta" });
    const item = product.variants[0]!.inventoryItemId!;
    await createInventoryLevel(db, shop.id, item, STORE, 5);
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms);

    const first = await shopSnapshot(db, { platform: "shopify", domain: shop.domain }, at(0), REFRESH_MS);
    expect(first?.stock.get(stockKey(STORE, item))).toBe(5);
    expect(first?.productOfVariant.get(product.variants[0]!.externalId)).toBe(product.externalId);

    await db.inventoryLevel.updateMany({ where: { shopId: shop.id, inventoryItemId: item }, data: { available: 0 } });
    // Within the interval: the register is answered from memory, no database read.
    expect(
      (await shopSnapshot(db, { platform: "shopify", domain: shop.domain }, at(500), REFRESH_MS))?.stock.get(
        stockKey(STORE, item),
      ),
    ).toBe(5);
    // Due: this request still gets the current view; the refresh runs beside it.
    expect(
      (await shopSnapshot(db, { platform: "shopify", domain: shop.domain }, at(2_500), REFRESH_MS))?.stock.get(
        stockKey(STORE, item),
      ),
    ).toBe(5);
    // The background refresh lands in memory (however slow the database is today).
    await vi.waitFor(
      async () =>
        expect(
          (await shopSnapshot(db, { platform: "shopify", domain: shop.domain }, at(2_600), REFRESH_MS))?.stock.get(
            stockKey(STORE, item),
          ),
        ).toBe(0),
      { timeout: 10_000, interval: 20 },
    );

    // Far behind (ten intervals): the request waits for fresh data instead of serving it.
    await db.product.update({ where: { id: product.id }, data: { status: "draft" } });
    const late = await shopSnapshot(
      db,
      { platform: "shopify", domain: shop.domain },
      at(2_600 + 10 * REFRESH_MS),
      REFRESH_MS,
    );
    expect(late?.products.get(product.externalId)?.forSale).toBe(false);
  });

  it("follows catalog changes: variants replaced, products deleted, settings saved in this process", async () => {
    const shop = await createShop(db, { domain: "snapshot-catalog.myshopify.com" });
    const product = await createProduct(db, shop.id, { title: "Sauce" });
    const oldVariant = product.variants[0]!.externalId;
    const t0 = Date.now();
    await shopSnapshot(db, { platform: "shopify", domain: shop.domain }, new Date(t0), REFRESH_MS);

    await upsertProduct(db, shop.id, {
      externalId: product.externalId,
      title: "Tomato sauce",
      productType: "",
      vendor: "",
      tags: ["Seasonal"],
      status: "active",
      variants: [{ externalId: "555001", title: "Jar", sku: null, priceMinor: 349, inventoryItemId: "777001" }],
    });
    await db.suggestionSettings.create({ data: { shopId: shop.id, enabled: false } });
    markShopSnapshotStale(shop.id);
    const view = await shopSnapshot(db, { platform: "shopify", domain: shop.domain }, new Date(t0 + 1), REFRESH_MS);
    expect(view?.products.get(product.externalId)).toMatchObject({
      title: "Tomato sauce",
      tagsLower: ["seasonal"],
      variants: [{ variantId: "555001", priceMinor: 349, inventoryItemId: "777001" }],
    });
    expect(view?.productOfVariant.has(oldVariant)).toBe(false);
    expect(view?.productOfVariant.get("555001")).toBe(product.externalId);
    expect(view?.settings.get("")?.enabled).toBe(false);

    await db.product.update({ where: { id: product.id }, data: { deletedAt: new Date() } });
    markShopSnapshotStale(shop.id);
    const after = await shopSnapshot(db, { platform: "shopify", domain: shop.domain }, new Date(t0 + 2), REFRESH_MS);
    expect(after?.products.get(product.externalId)?.forSale).toBe(false);
  });

  it("a save made while a background refresh is reading is still seen by the next request", async () => {
    const shop = await createShop(db, { domain: "snapshot-midway.myshopify.com" });
    await createProduct(db, shop.id, { title: "Bread" });
    const t0 = Date.now();
    await shopSnapshot(db, { platform: "shopify", domain: shop.domain }, new Date(t0), REFRESH_MS);

    // Hold the refresh after it has read the settings (at its AI switch), so the save lands midway.
    let reachedGate!: () => void;
    const atGate = new Promise<void>((resolve) => (reachedGate = resolve));
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const gated = new Proxy(db, {
      get(target, prop) {
        if (prop !== "aiSettings") return Reflect.get(target, prop) as unknown;
        return {
          findUnique: async (args: Parameters<typeof db.aiSettings.findUnique>[0]) => {
            reachedGate();
            await gate;
            return target.aiSettings.findUnique(args);
          },
        };
      },
    });
    const due = new Date(t0 + REFRESH_MS);
    const served = await shopSnapshot(gated, { platform: "shopify", domain: shop.domain }, due, REFRESH_MS);
    expect(served?.settings.get("")).toBeUndefined();
    await atGate;
    await db.suggestionSettings.create({ data: { shopId: shop.id, enabled: false } });
    markShopSnapshotStale(shop.id);
    const next = shopSnapshot(
      db,
      { platform: "shopify", domain: shop.domain },
      new Date(due.getTime() + 1),
      REFRESH_MS,
    );
    openGate();
    // It waited for the refresh in flight, which began before the save, and then for one that saw it.
    expect((await next)?.settings.get("")?.enabled).toBe(false);
  });

  it("knows no shop that is not installed, and notices one once it is", async () => {
    const domain = "snapshot-later.myshopify.com";
    const t0 = Date.now();
    expect(await shopSnapshot(db, { platform: "shopify", domain }, new Date(t0), REFRESH_MS)).toBeNull();
    const shop = await createShop(db, { domain });
    expect(
      await shopSnapshot(db, { platform: "shopify", domain }, new Date(t0 + REFRESH_MS * 10), REFRESH_MS),
    ).toMatchObject({
      shopId: shop.id,
    });
  });
});
