/**
 * Return-policy checks, the pure part: given an order as the store recorded it, the lines a
 * customer brings back, their condition and reason, and the store's policy, what the cashier
 * may do for each line, how much is refundable, the rules that decided it in plain words, and
 * risk signals as advice. No I/O: the server loads the order and history, the register shows
 * the answer.
 */

export {
  RETURN_CONDITIONS,
  RETURN_REASON_CODES,
  RETURN_VERDICTS,
  type ReceiptKind,
  type ReturnCondition,
  type ReturnReasonCode,
  type ReturnVerdict,
} from "./return-codes";
import {
  RETURN_VERDICTS,
  type ReceiptKind,
  type ReturnCondition,
  type ReturnReasonCode,
  type ReturnVerdict,
} from "./return-codes";

/** A rule that matches products by type or tag (case-insensitive). */
export interface ProductMatch {
  productType?: string;
  tag?: string;
}

export interface ReturnPolicy {
  /** Days after purchase (in the shop's time zone) a line can come back. */
  windowDays: number;
  /** First matching override wins over windowDays. */
  windowOverrides: Array<ProductMatch & { days: number }>;
  /** Products with any of these tags are final sale. */
  finalSaleTags: string[];
  /** What each condition allows at best. */
  conditions: Record<ReturnCondition, Exclude<ReturnVerdict, "needs_manager">>;
  /** Without a receipt or order, refuse (true) or apply `noReceipt`. */
  receiptRequired: boolean;
  /** Exchange only for these products (any match). */
  exchangeOnly: ProductMatch[];
  /** Percent kept on lines in these conditions. */
  restockingFee: { percent: number; conditions: ReturnCondition[] };
  /** Orders placed online (not at a POS) can be returned in store. */
  onlineReturnsInStore: boolean;
  /** Returns without a receipt: store credit up to `approvalAboveMinor`, a manager above it. */
  noReceipt: { allowed: boolean; approvalAboveMinor: number };
  /** Customers with this many returns (or this value) in `days` are flagged for review. */
  review: { days: number; maxReturns: number; maxValueMinor: number };
  /** A line at or above this value is flagged as high value (advice only). */
  highValueMinor: number;
}

export const DEFAULT_RETURN_POLICY: ReturnPolicy = {
  windowDays: 30,
  windowOverrides: [],
  finalSaleTags: ["final-sale"],
  conditions: { unopened: "approve", used: "store_credit", defective: "approve" },
  receiptRequired: false,
  exchangeOnly: [],
  restockingFee: { percent: 0, conditions: ["used"] },
  onlineReturnsInStore: true,
  noReceipt: { allowed: true, approvalAboveMinor: 5_000 },
  review: { days: 90, maxReturns: 5, maxValueMinor: 50_000 },
  highValueMinor: 20_000,
};

/** One line of the order as the store recorded it. */
export interface OrderLineFacts {
  lineItemId: string;
  title: string;
  productType: string;
  tags: string[];
  quantity: number;
  /** Unit price before discounts, minor units. */
  priceMinor: number;
  /** Discounts allocated to the whole line (all units), minor units. */
  discountMinor: number;
  /** Units already refunded, and the amount refunded for them. */
  refundedQuantity: number;
  refundedMinor: number;
}

export interface OrderFacts {
  name: string;
  currency: string;
  processedAt: Date;
  /** "pos" for the register; anything else ("web", "shopify_draft_order", …) is online. */
  sourceName: string | null;
  locationId: string | null;
  customerId: string | null;
  lines: OrderLineFacts[];
}

export interface ReturnLineRequest {
  lineItemId: string;
  quantity: number;
  condition: ReturnCondition;
}

export interface ReturnCheckInput {
  policy: ReturnPolicy;
  /** null: no receipt and no order found (store-credit handling). */
  order: OrderFacts | null;
  lines: ReturnLineRequest[];
  /** For a return without an order: what the items sell for now. */
  noReceiptValueMinor?: number;
  receipt: ReceiptKind;
  reason: { code: ReturnReasonCode; text: string | null };
  /** Today, and the shop's IANA time zone the window is counted in. */
  now: Date;
  timeZone: string;
  /** The register's location. */
  locationId: string | null;
  /** The customer's returns in the review period (excluding this one). */
  customerHistory: { returns: number; valueMinor: number } | null;
}

export interface RuleApplied {
  code: string;
  /** Plain words a cashier can read out. */
  text: string;
}

export type RiskSignal = "frequent_returns" | "high_value" | "other_location";

export interface ReturnLineCheck {
  lineItemId: string;
  title: string;
  quantity: number;
  verdict: ReturnVerdict;
  /** What may be refunded for these units after discounts, earlier refunds and any fee. */
  refundableMinor: number;
  restockingFeeMinor: number;
  rules: RuleApplied[];
}

export interface ReturnCheckResult {
  verdict: ReturnVerdict;
  lines: ReturnLineCheck[];
  /** Lines of the request that could not be checked (unknown line, nothing left to return). */
  problems: Array<{ lineItemId: string; text: string }>;
  refundableMinor: number;
  signals: Array<{ signal: RiskSignal; text: string }>;
  reasonCode: ReturnReasonCode;
  /** Days since purchase in the shop's time zone (null without an order). */
  daysSincePurchase: number | null;
}

const strictest = (a: ReturnVerdict, b: ReturnVerdict): ReturnVerdict =>
  RETURN_VERDICTS.indexOf(a) >= RETURN_VERDICTS.indexOf(b) ? a : b;

const lower = (text: string) => text.trim().toLowerCase();

function matches(match: ProductMatch, line: Pick<OrderLineFacts, "productType" | "tags">): boolean {
  if (match.productType && lower(match.productType) !== lower(line.productType)) return false;
  if (match.tag && !line.tags.some((tag) => lower(tag) === lower(match.tag!))) return false;
  return Boolean(match.productType || match.tag);
}

/** The calendar date (YYYY-MM-DD) of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(instant);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Whole calendar days from `from` to `to` in `timeZone` (purchase day = day 0). */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
  const day = (instant: Date) => Date.parse(`${localDate(instant, timeZone)}T00:00:00Z`);
  return Math.round((day(to) - day(from)) / 86_400_000);
}

function formatDays(days: number): string {
  return days === 1 ? "1 day" : `${days} days`;
}

/**
 * The deterministic reason classifier: keywords in English, Spanish, French, German, Italian,
 * Portuguese and Dutch to a reason code; "other" when nothing matches. The AI layer may add a
 * model in front of it. Texts are compared without case or accents, so "tamano" and "tamaño"
 * read the same; single-letter slips in the longer keywords are corrected first ("recieved",
 * "funsiona"); and negated complaints ("not broken", "nothing wrong with it", "not a gift") are
 * dropped so they cannot decide the reason.
 */
const REASON_KEYWORDS: Array<[ReturnReasonCode, RegExp]> = [
  [
    "defective",
    new RegExp(
      [
        // en
        String.raw`\bbrok\w*|\bbust(ed)?\b|\bdefe[ck]t\w*|\bfaulty\b|\bdamag\w*|\bcrack(ed|s|ing)?\b|\bleak\w*|\btorn\b|\bripped\b`,
        String.raw`\bholes?\b|\bstain(ed|s)?\b|\bdent(ed|s)?\b|\bscratch\w*|\bshatter\w*|\bsmok\w*|\bburn\w*|\bdead\b|\bdied\b`,
        String.raw`\bmalfunction\w*|\bglitch\w*|\bpeel(ed|ing|s)?\b|\bfray\w*`,
        String.raw`\b(fell|falls?|falling|coming|comes?|came) (apart|off|undone|loose)\b`,
        String.raw`\b(doesn'?t|does not|dont|don'?t|didn'?t|did not|won'?t|wont|will not|can'?t|cannot|not|no longer|stopped|stops|never) (\w+ )?(wo?rk\w*|turn(s|ing)? on|charg\w*|power\w* on|switch\w* on|click\w*|connect\w*|pair\w*|heat\w*|clos\w*|zip\w*|lock\w*)`,
        String.raw`\bonly (\w+ )?(works?|plays?|charges?|lights? up|heats?)\b`,
        // es
        String.raw`\brot[oa]s?\b|\brompi\w*|\bdefectuos\w*|\bdanad[oa]s?\b|\baveriad\w*|\bdescosid\w*|\bdespegad\w*|\bquemad\w*`,
        String.raw`\bno (func\w*|sirve|prende|enciende|carga|jala|anda)\b|\bse (rompio|despego|descosio|quemo|desarmo)\b`,
        // fr
        String.raw`\bcass(e|ee|es|ees)\b|\bdefectueu\w*|\bdefaut\w*|\babim\w*|\bendommag\w*|\bdechir\w*|\blach(e|er|ee)\b`,
        String.raw`\ben panne\b|\bdecousu\w*|\bdecolle\w*|\b(marche|fonctionne|s'allume|charge|demarre) (pas|plus)\b`,
        // de
        String.raw`\bkaput\w*|\bbeschadigt\b|\bgerissen\b|\bzerbrochen\b|\bgebrochen\b|\bundicht\b|\bim eimer\b`,
        String.raw`\b(funktioniert|geht|lauft|ladt) (\w+ )?(nich|nicht|nimmer)\b`,
        // it
        String.raw`\brott[oaie]\b|\bguast[oaie]\b|\bdifett\w*|\bdanneggiat\w*|\bscollat\w*|\bscucit\w*|\bstrappat\w*|\brovinat\w*`,
        String.raw`\bnon (funziona|si accende|carica)\b`,
        // pt
        String.raw`\bquebr\w*|\bdefeit\w*|\bestragad\w*|\brasgad\w*|\bdanificad\w*|\bdescolad\w*|\bparou de funcionar\b`,
        String.raw`\bnao (funciona|liga|carrega|acende)\b`,
        // nl
        String.raw`\bkapot\w*|\bbeschadigd\b|\bgescheurd\b|\b(is|was|ging|gaat|gegaan) (\w+ )?stuk\b`,
        String.raw`\bwerkt (\w+ )?niet\b|\bgaat niet (meer )?aan\b|\bdoet het niet\b`,
      ].join("|"),
    ),
  ],
  [
    "wrong_size",
    new RegExp(
      [
        String.raw`\bsiz(e|es|ing)\b|\bfit(s|ting)?\b|\b(tight|snug|baggy)\b|\b(smaller|bigger|larger)\b`,
        String.raw`\btoo (\w+ )?(small?|big|large|tight|loose|long|short|baggy|narrow|wide|little|tall)\b`,
        String.raw`\bto (small?|big|large|tight|loose|baggy|narrow|wide)\b`,
        String.raw`\bruns? (small|large|big|narrow|wide)\b`,
        String.raw`\btalla\b|\btamano\b|\bno me queda\b`,
        String.raw`\b(queda\w*|quedo|muy|demasiado) (\w+ )?(pequen\w*|chic[oa]s?|grandes?|apretad\w*|ajustad\w*|holgad\w*|estrech\w*)`,
        String.raw`\btaille\b|\bpointure\b|\btrop (\w+ )?(petit|grand|serre|large|court|long|etroit|juste|ample)\w*`,
        String.raw`\bgroe?sse\b|\bzu (\w+ )?(klein|gross|eng|weit|kurz|lang|schmal|breit)\w*|\bpasst (\w+ )?nicht\b`,
        String.raw`\b(groe?sser|kleiner)\b`,
        String.raw`\btaglia\b|\bmisura\b|\btroppo (\w+ )?(piccol|picol|grand|strett|larg|cort|lung)\w*|\bnon mi (sta|entra)\b`,
        String.raw`\btamanho\b|\bnumeracao\b|\b(pequen|grand|apertad|larg|curt|folgad)\w* demais\b`,
        String.raw`\b(muito|ficou|ficaram) (\w+ )?(pequen|grand|apertad|larg|curt|folgad)\w*|\bnao (me )?serv(e|iu)\b`,
        String.raw`\bte (\w+ )?(klein|groot|krap|wijd|kort|lang|strak|ruim|smal)\w*|\bmaat\b|\bpast (\w+ )?niet\b`,
        String.raw`\b(kleinere|grotere)\b`,
      ].join("|"),
    ),
  ],
  [
    "wrong_item",
    new RegExp(
      [
        String.raw`\bwrong (it(em|me)|product|one|model|colo?u?r|version|thing|style|variant|shade|pair|order|flavou?r|edition|part)s?\b`,
        String.raw`\bsent (me )?(the )?wrong\b|\bnot what i (ordered|asked for|chose|picked)\b`,
        String.raw`\b(didn'?t|did not|never) (order|ask for)\w*\b`,
        String.raw`\b(ordered|asked for|wanted|chose) (\w+ ){1,6}(but|and) (\w+ ){0,2}(got|received|came|arrived|sent|says)\b`,
        String.raw`\bequivocad[oa]s?\b|\bincorrect[oa]s?\b|\bno es (lo|el|la) que (pedi|compre|encargue)\b`,
        String.raw`\bpedi (\w+ ){1,6}y (me )?(llego|llegaron|vino|enviaron|mandaron|dieron)\b`,
        String.raw`\bpas (le|la|les) bon(ne)?s? (article|produit|modele|couleur|colis)\b|\bpas (\w+ ){0,3}que j'ai commande\w*`,
        String.raw`\bmauvais(e)? (article|produit|modele|couleur|colis)\b`,
        String.raw`\bfalsch\w*|\bnicht (das|was|die|der|den) (ich )?(\w+ )?bestellt\b`,
        String.raw`\bsbagliat\w*|\bnon (e|era) (quello|quella) che ho (ordinato|chiesto|comprato)\b`,
        String.raw`\berrad[oa]s?\b|\bnao (e|era) o que (eu )?(pedi|comprei|encomendei)\b`,
        String.raw`\bverkeerd\w*|\bniet (wat|het|de) (ik )?(\w+ )?besteld\b`,
      ].join("|"),
    ),
  ],
  [
    "not_as_described",
    new RegExp(
      [
        String.raw`\bnot as (described|pictured|advertised|shown|listed|stated|promised)\b|\bnothing like\b`,
        String.raw`\b(looks?|looked|is|was|seems?) (\w+ )?different\b|\bdifferent (from|than|to)\b|\bquality\b`,
        String.raw`\b(fake|counterfeit|knock-?off|imitation|misleading)\b|\blooks? (\w+ ){0,2}(cheap|fake|flimsy)\b`,
        String.raw`\bnot what i paid for\b`,
        // a photo, listing or description set up an expectation the product does not meet
        String.raw`\b(photos?|pictures?|pics?|images?|website|listing|ads?|advert|description|video)\b (\w+ ){0,2}(showed|shows|said|says|had|has|claimed|claims|promised)\b`,
        String.raw`\b(different|diferente|distint\w*|diversa?o?|anders|zoals|como|comme|come|wie|vs|versus|than|conforme)\b(\W+[\w']+){0,4}\W+(photos?|fotos?|pictures?|pics?|images?|imagen|imagem|immagine|bild|afbeelding|abbildung|descri\w*|beschr\w*|website|listing|anuncio|annonce|annuncio)\b`,
        String.raw`\bno (es|era|son) como\b|\bcalidad\b`,
        String.raw`\bpas (comme|conforme)\b|\bqualite\b|\bne ressemble pas\b`,
        String.raw`\banders (\w+ ){0,2}als\b|\bnicht wie (beschrieben|abgebildet)\b|\bqualitat\b`,
        String.raw`\bnon (e|era) come\b|\bqualita\b|\bnao (e|era) como\b|\bqualidade\b|\bniet zoals\b|\bkwaliteit\b`,
      ].join("|"),
    ),
  ],
  [
    "unwanted_gift",
    new RegExp(
      [
        String.raw`\bg(if|fi)t\w*|\bpresents?\b|\bregal(o|os|i|ad[oa]s?|aron|aste|ar|e)\b|\bcadeau\w*|\bgeschenk\w*|\bpresente\b|\bganhei\b|\boffert\w*`,
        String.raw`(?<!\b(you|they) )\b(gave|given) (it |this |these |them )?(to )?(me|us)\b|\b(picked|bought|chose) (this|it|these) (out )?for (me|us)\b`,
        // a thing received for an occasion is a gift even when the word is not said
        String.raw`^(?=.*\b(got|received|given|gave|recibi|bekommen|gekregen|recu|ricevuto|ganhei|recebi)\b)(?=.*\b(birthday|bday|christmas|xmas|wedding|anniversary|graduation|cumpleanos|navidad|compleanno|natale|geburtstag|weihnacht\w*|anniversaire|noel|aniversario|natal|verjaardag|kerst\w*)\b)`,
      ].join("|"),
    ),
  ],
  [
    "changed_mind",
    new RegExp(
      [
        String.raw`\bchange[ds]? (my|her|his|their|our) mind\b|\bregret\w*|\bdecided (not|against)\b`,
        String.raw`\b(don'?t|dont|do not|didn'?t|did not|no longer|not) (really |even )?(need|want|like|love|use|wear)\b`,
        String.raw`\bno longer\b|\bnot needed\b|\bnot (feeling|into|loving) (it|this|them)\b|\bnot my (style|taste|thing)\b`,
        String.raw`\b(found|saw|got) (one|something|it|a \w+) (\w+ ){0,3}(better|cheaper|elsewhere)\b`,
        String.raw`\balready (have|own|got|has|bought)\b|\bno (room|space|use) for\b|\b(only|just) need (one|1)\b`,
        String.raw`\bcambi\w* de (opinion|idea|parecer)\b|\bya no\b|\bno (lo |la )?(necesito|quiero)\b|\barrepenti\w*|\bya tengo\b|\bno me gust\w*`,
        String.raw`\bchang\w* d'avis\b|\bplus besoin\b|\bne (me )?plai[ts] (pas|plus)\b|\bj'en ai deja\b`,
        String.raw`\bnicht mehr\b|\banders (u|ue)berlegt\b|\bbrauch\w* (\w+ ){0,3}(nicht|nur|kein)\w*|\bgefallt (\w+ ){0,2}nicht\b|\bumentschieden\b|\bbereue\w*`,
        String.raw`\bcambiato idea\b|\bripensat\w*|\bnon (mi )?serve\b|\bnon (lo |la )?(voglio|uso) piu\b|\bnon mi piace\b`,
        String.raw`\bmudei de (ideia|opiniao)\b|\bdesisti\w*|\bnao (preciso|quero|uso|gostei)\b|\barrependi\w*|\bja tenho\b`,
        String.raw`\bbedacht\b|\bvan gedachten veranderd\b|\bniet (meer )?nodig\b|\btoch niet\b|\bniet meer\b|\bspijt\b|\bheb er al\b`,
      ].join("|"),
    ),
  ],
];

/** Longer keywords worth correcting a one-letter slip towards; shorter ones have too many real neighbours. */
const REASON_VOCABULARY = new Set([
  "broken",
  "defective",
  "damaged",
  "cracked",
  "working",
  "changed",
  "ordered",
  "received",
  "described",
  "advertised",
  "unwanted",
  "birthday",
  "christmas",
  "quality",
  "different",
  "kaputt",
  "taille",
  "taglia",
  "tamanho",
  "piccolo",
  "piccola",
  "funciona",
  "funziona",
  "fonctionne",
  "quebrado",
  "equivocado",
  "sbagliato",
  "verkeerd",
  "geschenk",
  "cadeau",
]);

/** A complaint the customer denies ("not broken", "kein Defekt", "not a gift"). */
const NEGATED_COMPLAINT = new RegExp(
  String.raw`\b(not|isn'?t|wasn'?t|aren'?t|never|nothing|no|pas|nicht|kein\w*|non|nao|niet|geen)` +
    // up to two words in between ("is not really broken"), but not across a comma or an "and"
    String.raw`(\s+(?!(and|but|or|y|pero|et|mais|und|aber|oder|ma|mas|maar)\b)[\w']+){0,2}\s+` +
    String.raw`(brok\w*|defe[ck]t\w*|damag\w*|faulty|wrong|rot[oa]s?|danad[oa]|cass(e|ee|es)|abime\w*|kaput\w*|beschadigt` +
    String.raw`|rott[oa]|difettos\w*|guast[oa]|quebrad\w*|defeit\w*|kapot|stuk|g(if|fi)t|present|regalo|cadeau|geschenk|presente)\b`,
  "g",
);

function normalizeReason(text: string): string {
  return text
    .toLowerCase()
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, " ");
}

/** At most one insertion, deletion, substitution or swap of neighbours apart. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function correctTypos(text: string): string {
  return text.replace(/[a-z]{5,}/g, (word) => {
    if (REASON_VOCABULARY.has(word)) return word;
    for (const known of REASON_VOCABULARY) if (withinOneEdit(word, known)) return known;
    return word;
  });
}

export function classifyReason(text: string): ReturnReasonCode {
  const normalized = correctTypos(normalizeReason(text)).replace(NEGATED_COMPLAINT, " ");
  for (const [code, pattern] of REASON_KEYWORDS) if (pattern.test(normalized)) return code;
  return "other";
}

/** Checks a return against the policy; every verdict comes with the rules that decided it. */
export function checkReturn(input: ReturnCheckInput): ReturnCheckResult {
  const { policy, order } = input;
  const reasonCode = input.reason.code !== "other" ? input.reason.code : classifyReason(input.reason.text ?? "");
  const signals: ReturnCheckResult["signals"] = [];
  const history = input.customerHistory;
  const reviewDue =
    !!history && (history.returns >= policy.review.maxReturns || history.valueMinor >= policy.review.maxValueMinor);
  if (reviewDue) {
    signals.push({
      signal: "frequent_returns",
      text: `This customer returned ${history!.returns} time(s) in the last ${policy.review.days} days; a manager reviews the return`,
    });
  }
  if (!order) return checkWithoutOrder(input, reasonCode, signals, reviewDue);

  if (order.locationId && input.locationId && order.locationId !== input.locationId) {
    signals.push({ signal: "other_location", text: "Bought at another location" });
  }
  const days = calendarDaysBetween(order.processedAt, input.now, input.timeZone);
  const online = (order.sourceName ?? "pos") !== "pos";
  const lines: ReturnLineCheck[] = [];
  const problems: ReturnCheckResult["problems"] = [];
  const seen = new Map<string, number>();

  for (const request of input.lines) {
    const line = order.lines.find((candidate) => candidate.lineItemId === request.lineItemId);
    if (!line) {
      problems.push({ lineItemId: request.lineItemId, text: "This item is not on the order" });
      continue;
    }
    const already = seen.get(line.lineItemId) ?? 0;
    const left = line.quantity - line.refundedQuantity - already;
    if (left <= 0) {
      problems.push({ lineItemId: line.lineItemId, text: `Every unit of ${line.title} was already returned` });
      continue;
    }
    const rules: RuleApplied[] = [];
    let quantity = request.quantity;
    if (quantity > left) {
      rules.push({
        code: "quantity_capped",
        text: `Only ${left} of ${line.quantity} can still be returned (bought ${line.quantity}, ${line.refundedQuantity + already} already returned)`,
      });
      quantity = left;
    }
    seen.set(line.lineItemId, already + quantity);
    let verdict = "approve" as ReturnVerdict; // widened: decide() below changes it
    const decide = (next: ReturnVerdict, rule: RuleApplied) => {
      verdict = strictest(verdict, next);
      rules.push(rule);
    };

    const override = policy.windowOverrides.find((candidate) => matches(candidate, line));
    const window = override ? override.days : policy.windowDays;
    const windowSource = override
      ? `the ${override.productType ? `"${override.productType}"` : `"${override.tag}"`} window of ${formatDays(window)}`
      : `the ${window}-day return window`;
    if (days > window) {
      decide("deny", {
        code: "window_passed",
        text: `Bought ${formatDays(days)} ago: past ${windowSource} (last day was ${formatDays(window)} after purchase)`,
      });
    } else {
      rules.push({
        code: "within_window",
        text: `Bought ${formatDays(days)} ago: within ${windowSource}${days === window ? " (today is the last day)" : ""}`,
      });
    }
    const finalTag = line.tags.find((tag) => policy.finalSaleTags.some((final) => lower(final) === lower(tag)));
    if (finalTag && request.condition !== "defective") {
      decide("deny", { code: "final_sale", text: `Final sale ("${finalTag}"): not returnable unless defective` });
    }
    const conditionBest = policy.conditions[request.condition];
    if (conditionBest !== "approve") {
      decide(conditionBest, {
        code: `condition_${request.condition}`,
        text: `Condition "${request.condition}": ${VERDICT_WORDS[conditionBest]} at most`,
      });
    }
    if (policy.exchangeOnly.some((match) => matches(match, line)) && request.condition !== "defective") {
      decide("exchange_only", {
        code: "exchange_only",
        text: `${line.productType || "This product"} is exchange only`,
      });
    }
    if (online && !policy.onlineReturnsInStore) {
      decide("deny", { code: "online_order", text: "Bought online: this store does not take online orders back" });
    } else if (online) {
      rules.push({ code: "online_order_ok", text: "Bought online: returnable in store" });
    }
    if (input.receipt === "gift_receipt") {
      decide("store_credit", {
        code: "gift_receipt",
        text: "Gift receipt: refunded as store credit, not to the buyer",
      });
    }
    if (reviewDue) {
      decide("needs_manager", {
        code: "customer_review",
        text: `Customer over the review trigger (${policy.review.maxReturns} returns or ${policy.review.maxValueMinor / 100} in ${formatDays(policy.review.days)})`,
      });
    }

    // Money: what was paid for the units still returnable, minus fee. Earlier refunds of this line
    // are taken off the line's paid total first, so a line is never refunded beyond what was paid.
    const paidMinor = line.priceMinor * line.quantity - line.discountMinor;
    const remainingMinor = Math.max(0, paidMinor - line.refundedMinor);
    const unitsLeft = line.quantity - line.refundedQuantity;
    const grossMinor = Math.min(remainingMinor, Math.round((remainingMinor * quantity) / Math.max(1, unitsLeft)));
    if (line.discountMinor > 0) {
      rules.push({
        code: "discount_allocated",
        text: `Refund is what was paid after a discount of ${(line.discountMinor / 100).toFixed(2)} on this line`,
      });
    }
    const feeApplies = policy.restockingFee.percent > 0 && policy.restockingFee.conditions.includes(request.condition);
    const feeMinor = feeApplies ? Math.round((grossMinor * policy.restockingFee.percent) / 100) : 0;
    if (feeApplies) {
      rules.push({
        code: "restocking_fee",
        text: `Restocking fee of ${policy.restockingFee.percent}% for items returned ${request.condition}`,
      });
    }
    const refundableMinor = verdict === "deny" ? 0 : grossMinor - feeMinor;
    if (grossMinor >= policy.highValueMinor && !signals.some((s) => s.signal === "high_value")) {
      signals.push({ signal: "high_value", text: "High-value return" });
    }
    lines.push({
      lineItemId: line.lineItemId,
      title: line.title,
      quantity,
      verdict,
      refundableMinor,
      restockingFeeMinor: verdict === "deny" ? 0 : feeMinor,
      rules,
    });
  }

  const verdict = lines.length ? lines.map((line) => line.verdict).reduce(strictest) : "deny";
  return {
    verdict,
    lines,
    problems,
    refundableMinor: lines.reduce((sum, line) => sum + line.refundableMinor, 0),
    signals,
    reasonCode,
    daysSincePurchase: days,
  };
}

const VERDICT_WORDS: Record<ReturnVerdict, string> = {
  approve: "refund",
  store_credit: "store credit",
  exchange_only: "exchange",
  needs_manager: "a manager's approval",
  deny: "no return",
};

function checkWithoutOrder(
  input: ReturnCheckInput,
  reasonCode: ReturnReasonCode,
  signals: ReturnCheckResult["signals"],
  reviewDue: boolean,
): ReturnCheckResult {
  const { policy } = input;
  const value = Math.max(0, input.noReceiptValueMinor ?? 0);
  const rules: RuleApplied[] = [];
  let verdict: ReturnVerdict;
  if (policy.receiptRequired || !policy.noReceipt.allowed) {
    verdict = "deny";
    rules.push({ code: "receipt_required", text: "This store needs a receipt or the order for a return" });
  } else if (value > policy.noReceipt.approvalAboveMinor) {
    verdict = "needs_manager";
    rules.push({
      code: "no_receipt_over_limit",
      text: `No receipt: store credit only, and above ${(policy.noReceipt.approvalAboveMinor / 100).toFixed(2)} a manager approves`,
    });
  } else {
    verdict = "store_credit";
    rules.push({ code: "no_receipt", text: "No receipt: store credit only, at today's price" });
  }
  if (reviewDue && verdict !== "deny") {
    verdict = strictest(verdict, "needs_manager");
    rules.push({ code: "customer_review", text: "Customer over the review trigger: a manager reviews the return" });
  }
  if (value >= policy.highValueMinor) signals.push({ signal: "high_value", text: "High-value return" });
  return {
    verdict,
    lines: [
      {
        lineItemId: "no-receipt",
        title: "Items without a receipt",
        quantity: input.lines.reduce((sum, line) => sum + line.quantity, 0),
        verdict,
        refundableMinor: verdict === "deny" ? 0 : value,
        restockingFeeMinor: 0,
        rules,
      },
    ],
    problems: [],
    refundableMinor: verdict === "deny" ? 0 : value,
    signals,
    reasonCode,
    daysSincePurchase: null,
  };
}
