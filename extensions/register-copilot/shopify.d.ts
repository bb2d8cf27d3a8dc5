// Types the `shopify` global per target module, in the shape Shopify CLI generates for this file.
import "@shopify/ui-extensions";

declare module "./src/Tile.tsx" {
  const shopify: import("@shopify/ui-extensions/pos.home.tile.render").Api;
  const globalThis: { shopify: typeof shopify };
}

declare module "./src/Modal.tsx" {
  const shopify: import("@shopify/ui-extensions/pos.home.modal.render").Api;
  const globalThis: { shopify: typeof shopify };
}

declare module "./src/ReturnMenuItem.tsx" {
  const shopify: import("@shopify/ui-extensions/pos.order-details.action.menu-item.render").Api;
  const globalThis: { shopify: typeof shopify };
}

declare module "./src/ReturnAction.tsx" {
  const shopify: import("@shopify/ui-extensions/pos.order-details.action.render").Api;
  const globalThis: { shopify: typeof shopify };
}

declare module "./src/CustomerBlock.tsx" {
  const shopify: import("@shopify/ui-extensions/pos.customer-details.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}
