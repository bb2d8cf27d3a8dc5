/**
 * The demo store, derived from ../shared/data/groceries.csv (9,835 real POS baskets over 169
 * item categories, no prices, times or customers). Everything the data lacks is derived
 * deterministically from the item name or basket index, so the same CSV and clock always give
 * the same store. Pure: takes the CSV text and the clock, returns the platform-neutral model.
 *
 * Derivations (documented because the source has none of these):
 * - Product type: a hand map from each of the 169 names to one of 13 grocery departments.
 * - Price: an FNV-1a hash of the name picks a price inside its department's band (e.g. produce
 *   $0.79–$3.99, meat & fish $2.99–$14.99), always ending in 9; every price is in $0.49–$14.99.
 * - Stock: 12–151 units per location from a hash, a few low (1–4), six items out of stock at
 *   Harbour Mall and four others at Main Street, so location-aware filters have something to do.
 * - Time: baskets keep their file order and are spread over the 30 local days before the
 *   clock's day, 08:00–21:00 in the shop's timezone.
 * - Location alternates by basket (even → Main Street, odd → Harbour Mall).
 * - About 30 % of baskets belong to one of 50 obviously fake customers (@example.com,
 *   555-01xx phone numbers, reserved for fiction).
 */
import type {
  NormalizedCustomer,
  NormalizedInventoryLevel,
  NormalizedLineItem,
  NormalizedOrder,
  NormalizedProduct,
  Platform,
} from "./model";

export interface DemoShop {
  platform: Platform;
  domain: string;
  name: string;
  currency: string;
  timezone: string;
}

export const DEMO_STORE = {
  platform: "shopify",
  domain: "demo-register.myshopify.com",
  name: "Register Copilot Demo Grocery",
  currency: "USD",
  timezone: "America/New_York",
} as const satisfies DemoShop;

export const DEMO_LOCATIONS = [
  { externalId: "70000000001", name: "Main Street" },
  { externalId: "70000000002", name: "Harbour Mall" },
] as const;

/**
 * The same grocery as a Square seller, for the companion register panel's demo: Square-style
 * opaque ids everywhere (merchant, locations, catalog, customers, orders), same data otherwise.
 */
export const DEMO_SQUARE_STORE = {
  platform: "square",
  domain: "MLDEMOSQ7GROCERY",
  name: "Register Copilot Demo Grocery (Square)",
  currency: "USD",
  timezone: "America/New_York",
} as const satisfies DemoShop;

export const DEMO_MANAGER = { name: "Morgan Demo", role: "manager" } as const;

export const DEMO_PRICE_RANGE = { minMinor: 49, maxMinor: 1499 } as const;

const DAYS = 30;
const OPEN_MINUTES = 8 * 60;
const TRADING_MINUTES = 13 * 60;
const CUSTOMER_SHARE_PERCENT = 30;
const CUSTOMER_COUNT = 50;

// ---------- departments ----------

interface Department {
  code: string;
  /** Price band in cents; both ends end in 9. */
  minMinor: number;
  maxMinor: number;
}

export const DEPARTMENTS = {
  Produce: { code: "PRO", minMinor: 79, maxMinor: 399 },
  "Dairy & Eggs": { code: "DAI", minMinor: 69, maxMinor: 599 },
  Bakery: { code: "BAK", minMinor: 59, maxMinor: 449 },
  "Meat & Fish": { code: "MEA", minMinor: 299, maxMinor: 1499 },
  Frozen: { code: "FRZ", minMinor: 199, maxMinor: 799 },
  Pantry: { code: "PAN", minMinor: 59, maxMinor: 599 },
  Beverages: { code: "BEV", minMinor: 79, maxMinor: 899 },
  "Beer & Wine": { code: "ALC", minMinor: 499, maxMinor: 1499 },
  "Snacks & Sweets": { code: "SNK", minMinor: 49, maxMinor: 499 },
  Household: { code: "HOU", minMinor: 99, maxMinor: 1299 },
  "Personal Care": { code: "PER", minMinor: 129, maxMinor: 999 },
  "Baby & Pet": { code: "BAP", minMinor: 99, maxMinor: 1299 },
  "Garden & Seasonal": { code: "GAR", minMinor: 149, maxMinor: 1499 },
} satisfies Record<string, Department>;

export type DepartmentName = keyof typeof DEPARTMENTS;

// Every item of groceries.csv (trimmed), by department.
export const ITEMS_BY_DEPARTMENT: Record<DepartmentName, string[]> = {
  Produce: [
    "berries",
    "citrus fruit",
    "grapes",
    "herbs",
    "onions",
    "organic products",
    "other vegetables",
    "packaged fruit/vegetables",
    "pip fruit",
    "root vegetables",
    "specialty vegetables",
    "tropical fruit",
  ],
  "Dairy & Eggs": [
    "UHT-milk",
    "butter",
    "butter milk",
    "condensed milk",
    "cream",
    "cream cheese",
    "curd",
    "curd cheese",
    "dessert",
    "domestic eggs",
    "hard cheese",
    "margarine",
    "processed cheese",
    "sliced cheese",
    "soft cheese",
    "specialty cheese",
    "spread cheese",
    "whipped/sour cream",
    "whole milk",
    "yogurt",
  ],
  Bakery: [
    "brown bread",
    "cake bar",
    "long life bakery product",
    "pastry",
    "roll products",
    "rolls/buns",
    "semi-finished bread",
    "waffles",
    "white bread",
    "zwieback",
  ],
  "Meat & Fish": [
    "beef",
    "chicken",
    "fish",
    "frankfurter",
    "ham",
    "hamburger meat",
    "liver loaf",
    "meat",
    "meat spreads",
    "organic sausage",
    "pork",
    "sausage",
    "turkey",
  ],
  Frozen: [
    "frozen chicken",
    "frozen dessert",
    "frozen fish",
    "frozen fruits",
    "frozen meals",
    "frozen potato products",
    "frozen vegetables",
    "ice cream",
  ],
  Pantry: [
    "Instant food products",
    "artif. sweetener",
    "baking powder",
    "canned fish",
    "canned fruit",
    "canned vegetables",
    "cereals",
    "cooking chocolate",
    "finished products",
    "flour",
    "honey",
    "jam",
    "ketchup",
    "mayonnaise",
    "mustard",
    "oil",
    "pasta",
    "pickled vegetables",
    "potato products",
    "pudding powder",
    "ready soups",
    "rice",
    "salad dressing",
    "salt",
    "sauces",
    "soups",
    "specialty fat",
    "spices",
    "sugar",
    "sweet spreads",
    "syrup",
    "vinegar",
  ],
  Beverages: [
    "beverages",
    "bottled water",
    "cocoa drinks",
    "coffee",
    "fruit/vegetable juice",
    "instant coffee",
    "misc. beverages",
    "soda",
    "tea",
  ],
  "Beer & Wine": [
    "bottled beer",
    "brandy",
    "canned beer",
    "liqueur",
    "liquor",
    "liquor (appetizer)",
    "prosecco",
    "red/blush wine",
    "rum",
    "sparkling wine",
    "whisky",
    "white wine",
  ],
  "Snacks & Sweets": [
    "candy",
    "chewing gum",
    "chocolate",
    "chocolate marshmallow",
    "nut snack",
    "nuts/prunes",
    "popcorn",
    "salty snack",
    "snack products",
    "specialty bar",
    "specialty chocolate",
    "tidbits",
  ],
  Household: [
    "abrasive cleaner",
    "bags",
    "bathroom cleaner",
    "candles",
    "cleaner",
    "cling film/bags",
    "cookware",
    "decalcifier",
    "detergent",
    "dish cleaner",
    "dishes",
    "house keeping products",
    "kitchen towels",
    "kitchen utensil",
    "light bulbs",
    "napkins",
    "newspapers",
    "photo/film",
    "preservation products",
    "shopping bags",
    "softener",
    "sound storage medium",
    "toilet cleaner",
  ],
  "Personal Care": [
    "dental care",
    "female sanitary products",
    "hair spray",
    "hygiene articles",
    "make up remover",
    "male cosmetics",
    "rubbing alcohol",
    "skin care",
    "soap",
  ],
  "Baby & Pet": ["baby cosmetics", "baby food", "cat food", "dog food", "pet care"],
  "Garden & Seasonal": ["flower (seeds)", "flower soil/fertilizer", "pot plants", "seasonal products"],
};

const DEPARTMENT_OF = new Map<string, DepartmentName>(
  (Object.entries(ITEMS_BY_DEPARTMENT) as [DepartmentName, string[]][]).flatMap(([department, items]) =>
    items.map((item) => [item, department] as const),
  ),
);

/** The department of a groceries.csv item; unknown names (another basket file) go to Pantry. */
export function departmentOf(csvName: string): DepartmentName {
  return DEPARTMENT_OF.get(csvName) ?? "Pantry";
}

// ---------- deterministic helpers ----------

/** FNV-1a, 32-bit: small, stable across platforms, good enough to spread names over a range. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A price in cents inside the item's department band, ending in 9. */
export function demoPriceMinor(csvName: string): number {
  const { minMinor, maxMinor } = DEPARTMENTS[departmentOf(csvName)];
  const steps = Math.floor((maxMinor - minMinor) / 10) + 1;
  return minMinor + (fnv1a(`price:${csvName}`) % steps) * 10;
}

/** "red/blush wine" → "Red/Blush Wine", "UHT-milk" stays. */
export function demoProductTitle(csvName: string): string {
  return csvName.replace(/(^|[\s/(])([a-z])/g, (_, before: string, letter: string) => before + letter.toUpperCase());
}

// ---------- CSV ----------

export interface Baskets {
  /** Distinct item names, trimmed, sorted. */
  items: string[];
  /** Each basket's distinct items, in file order. */
  baskets: string[][];
}

/** groceries.csv: one basket per line, items comma-separated, some with stray spaces. */
export function parseBaskets(csvText: string): Baskets {
  const baskets: string[][] = [];
  const names = new Set<string>();
  for (const raw of csvText.split(/\r?\n/)) {
    const basket = [
      ...new Set(
        raw
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean),
      ),
    ];
    if (!basket.length) continue;
    basket.forEach((item) => names.add(item));
    baskets.push(basket);
  }
  return { items: [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), baskets };
}

// ---------- time ----------

// Building a DateTimeFormat is costly; one per zone is plenty.
const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Milliseconds the zone is ahead of UTC at an instant. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = wallClock(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - (instant - (instant % 1000));
}

/**
 * The UTC instant of a local wall-clock time: `secondsOfDay` after local midnight of the local
 * day `dayOffset` days from `now`'s local day (so 08:00 stays 08:00 on a 23- or 25-hour day).
 */
export function localTime(now: Date, timeZone: string, dayOffset: number, secondsOfDay = 0): Date {
  const local = new Date(now.getTime() + zoneOffsetMs(now.getTime(), timeZone));
  const wall =
    Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + dayOffset) + secondsOfDay * 1000;
  // Twice: the offset at the first guess may differ from the one at the answer across a DST change.
  const first = wall - zoneOffsetMs(wall, timeZone);
  return new Date(wall - zoneOffsetMs(first, timeZone));
}

export function localMidnight(now: Date, timeZone: string, dayOffset: number): Date {
  return localTime(now, timeZone, dayOffset, 0);
}

// ---------- the store ----------

export interface DemoProduct extends NormalizedProduct {
  csvName: string;
}

export interface DemoStore {
  shop: DemoShop;
  locations: ReadonlyArray<{ externalId: string; name: string }>;
  products: DemoProduct[];
  inventoryLevels: NormalizedInventoryLevel[];
  customers: NormalizedCustomer[];
  orders: NormalizedOrder[];
}

const FIRST_NAMES = [
  "Avery",
  "Blake",
  "Casey",
  "Devon",
  "Emerson",
  "Finley",
  "Gray",
  "Harper",
  "Indy",
  "Jordan",
  "Kai",
  "Logan",
  "Morgan",
  "Noel",
  "Oakley",
  "Parker",
  "Quinn",
  "Riley",
  "Sage",
  "Taylor",
  "Uma",
  "Vic",
  "Wren",
  "Xen",
  "Yael",
  "Zion",
  "Ari",
  "Bo",
  "Cam",
  "Dale",
  "Eden",
  "Flynn",
  "Glen",
  "Hollis",
  "Ira",
  "Jules",
  "Kit",
  "Lane",
  "Marlo",
  "Nico",
  "Ollie",
  "Pat",
  "Rory",
  "Shay",
  "Tatum",
  "Val",
  "Winter",
  "Arden",
  "Bellamy",
  "Corin",
];
const LAST_NAMES = ["Example", "Sample", "Demo", "Placeholder", "Testwell"];

export function demoCustomers(): NormalizedCustomer[] {
  return Array.from({ length: CUSTOMER_COUNT }, (_, i) => {
    const first = FIRST_NAMES[i]!;
    const last = LAST_NAMES[i % LAST_NAMES.length]!;
    return {
      externalId: String(6_000_000_000_001 + i),
      firstName: first,
      lastName: last,
      email: `${first}.${last}@example.com`.toLowerCase(),
      phone: `+1-202-555-01${String(i).padStart(2, "0")}`,
      tags: ["demo"],
    };
  });
}

function demoProducts(items: string[]): DemoProduct[] {
  return items.map((csvName, i) => {
    const department = departmentOf(csvName);
    const n = i + 1;
    return {
      csvName,
      externalId: String(8_000_000_000_000 + n),
      title: demoProductTitle(csvName),
      productType: department,
      vendor: "Harbour Wholesale (demo)",
      tags: ["demo", department.toLowerCase()],
      status: "active",
      variants: [
        {
          externalId: String(45_000_000_000_000 + n),
          title: "Default Title",
          sku: `${DEPARTMENTS[department].code}-${String(n).padStart(3, "0")}`,
          priceMinor: demoPriceMinor(csvName),
          inventoryItemId: String(47_000_000_000_000 + n),
        },
      ],
    };
  });
}

/** Stock per item and location; a handful out of stock at exactly one location. */
function demoStock(products: DemoProduct[]): NormalizedInventoryLevel[] {
  const byOutOfStockRank = [...products].sort(
    (a, b) => fnv1a(`oos:${a.csvName}`) - fnv1a(`oos:${b.csvName}`) || (a.csvName < b.csvName ? -1 : 1),
  );
  const outAt = new Map<string, string>();
  byOutOfStockRank.slice(0, 6).forEach((p) => outAt.set(p.csvName, DEMO_LOCATIONS[1].externalId));
  byOutOfStockRank.slice(6, 10).forEach((p) => outAt.set(p.csvName, DEMO_LOCATIONS[0].externalId));
  return products.flatMap((product) =>
    DEMO_LOCATIONS.map((location) => {
      const hash = fnv1a(`stock:${product.csvName}:${location.externalId}`);
      let available = 12 + (hash % 140);
      if (hash % 11 === 0) available = 1 + (hash % 4);
      if (outAt.get(product.csvName) === location.externalId) available = 0;
      return {
        inventoryItemId: product.variants[0]!.inventoryItemId!,
        locationExternalId: location.externalId,
        available,
      };
    }),
  );
}

/** When each basket was rung up: file order, 30 local days before `now`'s day, shop hours. */
function basketTimes(count: number, now: Date, timeZone: string): Date[] {
  const times: Date[] = new Array(count);
  const perDay = new Array<number>(DAYS).fill(0);
  const dayOf = (b: number) => Math.floor((b * DAYS) / count);
  for (let b = 0; b < count; b++) perDay[dayOf(b)]! += 1;
  let day = -1;
  let indexInDay = 0;
  for (let b = 0; b < count; b++) {
    if (dayOf(b) !== day) {
      day = dayOf(b);
      indexInDay = 0;
    }
    const slot = ((indexInDay + 0.5) / perDay[day]!) * TRADING_MINUTES;
    const jitterSeconds = (fnv1a(`time:${b}`) % 240) - 120; // ±2 minutes, so times look rung up
    const seconds = Math.max(0, Math.round((OPEN_MINUTES + slot) * 60 + jitterSeconds));
    times[b] = localTime(now, timeZone, day - DAYS, seconds);
    indexInDay += 1;
  }
  return times;
}

export function buildDemoStore(csvText: string, now: Date): DemoStore {
  const { items, baskets } = parseBaskets(csvText);
  const products = demoProducts(items);
  const productByName = new Map(products.map((product) => [product.csvName, product]));
  const customers = demoCustomers();
  const times = basketTimes(baskets.length, now, DEMO_STORE.timezone);

  let lineSeq = 0;
  const orders = baskets.map((basket, b): NormalizedOrder => {
    const lineItems: NormalizedLineItem[] = basket.map((name) => {
      const product = productByName.get(name)!;
      const variant = product.variants[0]!;
      lineSeq += 1;
      return {
        externalId: String(14_000_000_000_000 + lineSeq),
        productExternalId: product.externalId,
        variantExternalId: variant.externalId,
        title: product.title,
        sku: variant.sku,
        quantity: 1,
        priceMinor: variant.priceMinor,
        discountMinor: 0,
      };
    });
    const subtotal = lineItems.reduce((sum, line) => sum + line.priceMinor * line.quantity, 0);
    const pick = fnv1a(`customer:${b}`);
    const customer = pick % 100 < CUSTOMER_SHARE_PERCENT ? customers[(pick >>> 8) % CUSTOMER_COUNT]! : null;
    const processedAt = times[b]!;
    return {
      externalId: String(5_000_000_000_001 + b),
      name: `#${1001 + b}`,
      currency: DEMO_STORE.currency,
      subtotalMinor: subtotal,
      totalMinor: subtotal, // groceries are untaxed in the demo state; no discounts in history
      discountMinor: 0,
      financialStatus: "paid",
      sourceName: "pos",
      locationExternalId: DEMO_LOCATIONS[b % 2]!.externalId,
      customerExternalId: customer?.externalId ?? null,
      staffMemberId: null,
      processedAt,
      cancelledAt: null,
      sourceUpdatedAt: processedAt,
      lineItems,
      refunds: [],
      customer,
      discountTitles: [],
    };
  });

  return {
    shop: DEMO_STORE,
    locations: DEMO_LOCATIONS,
    products,
    inventoryLevels: demoStock(products),
    customers,
    orders,
  };
}

// ---------- the Square-style demo seller ----------

const SQUARE_ID_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ0123456789";

/** A Square-looking id (upper-case letters and digits), the same for the same kind and key. */
export function squareStyleId(kind: string, key: string, length = 24): string {
  let id = "";
  for (let round = 0; id.length < length; round++) {
    let hash = fnv1a(`${kind}:${key}:${round}`);
    for (let i = 0; i < 6 && id.length < length; i++) {
      id += SQUARE_ID_ALPHABET[hash % SQUARE_ID_ALPHABET.length];
      hash = Math.floor(hash / SQUARE_ID_ALPHABET.length);
    }
  }
  return id;
}

/** The demo store with every id in Square's style, as a Square seller's data would arrive. */
export function squareStyleDemoStore(store: DemoStore): DemoStore {
  const location = (id: string) => `L${squareStyleId("location", id, 12)}`;
  const item = (id: string) => squareStyleId("item", id);
  const variation = (id: string) => squareStyleId("variation", id);
  const customer = (id: string) => squareStyleId("customer", id, 26);
  const customers = store.customers.map((c) => ({ ...c, externalId: customer(c.externalId) }));
  const customerById = new Map(customers.map((c) => [c.externalId, c]));
  const variationOfItem = new Map(
    store.products.flatMap((p) => p.variants.map((v) => [v.inventoryItemId, variation(v.externalId)] as const)),
  );
  return {
    shop: DEMO_SQUARE_STORE,
    locations: store.locations.map((l) => ({ externalId: location(l.externalId), name: l.name })),
    products: store.products.map((product) => ({
      ...product,
      externalId: item(product.externalId),
      // Square counts stock per variation: the variation is its own inventory item.
      variants: product.variants.map((v) => ({
        ...v,
        externalId: variation(v.externalId),
        inventoryItemId: variation(v.externalId),
      })),
    })),
    inventoryLevels: store.inventoryLevels.map((level) => ({
      ...level,
      inventoryItemId: variationOfItem.get(level.inventoryItemId)!,
      locationExternalId: location(level.locationExternalId),
    })),
    customers,
    orders: store.orders.map((order) => {
      const customerId = order.customerExternalId ? customer(order.customerExternalId) : null;
      return {
        ...order,
        externalId: squareStyleId("order", order.externalId, 27),
        locationExternalId: order.locationExternalId ? location(order.locationExternalId) : null,
        customerExternalId: customerId,
        customer: customerId ? customerById.get(customerId)! : null,
        lineItems: order.lineItems.map((line) => ({
          ...line,
          externalId: squareStyleId("line", line.externalId, 22),
          productExternalId: line.productExternalId ? item(line.productExternalId) : null,
          variantExternalId: line.variantExternalId ? variation(line.variantExternalId) : null,
        })),
      };
    }),
  };
}
