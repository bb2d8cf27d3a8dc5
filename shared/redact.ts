/**
 * Personal data out of text before it goes to a language model: each email, phone number, card
 * number, street address, customer id and name becomes a numbered placeholder ("[EMAIL_1]"), and
 * restorePii puts the originals back inside the app. Pure and dependency-free: the POS extension
 * bundles it too.
 *
 * Detection is by shape, so it errs on the side of the numbers a shop writes all day (prices,
 * order numbers, SKUs, dates, quantities) staying intact. Every pattern is either bounded in
 * length or starts only at a token boundary, so the work stays linear in the text. No lookbehind:
 * the register's iOS 16.0–16.3 webviews reject it, and with it the whole extension bundle.
 */
import { externalId } from "./ids";

export type PiiKind = "EMAIL" | "PHONE" | "CARD" | "ADDRESS" | "CUSTOMER_ID" | "NAME";

/** What the app already knows about the people involved: matched wherever they appear. */
export interface KnownPii {
  names?: string[];
  customerIds?: string[];
}

export interface Redaction {
  text: string;
  /** Placeholder ("[NAME_1]") → the text it replaced (its first spelling, if it appeared in several). */
  placeholders: Record<string, string>;
}

// Where matches overlap, the earlier kind wins: an email holds a name, an address a number.
const PRECEDENCE: readonly PiiKind[] = ["EMAIL", "PHONE", "CARD", "ADDRESS", "CUSTOMER_ID", "NAME"];

const PLACEHOLDER = new RegExp(String.raw`\[(${PRECEDENCE.join("|")})_(\d{1,9})\]`, "g");

interface Match {
  start: number;
  end: number;
  kind: PiiKind;
  /** Occurrences with the same key share a placeholder. */
  key: string;
}

export function redactPii(text: string, known: KnownPii = {}): Redaction {
  // Numbers already taken by placeholder-looking text in the input are skipped, so restoring
  // never touches what the cashier typed.
  const taken = new Map<PiiKind, Set<number>>(PRECEDENCE.map((kind) => [kind, new Set()]));
  for (const [, kind, number] of text.matchAll(PLACEHOLDER)) taken.get(kind as PiiKind)!.add(Number(number));

  const placeholderByKey = new Map<string, string>();
  const placeholders: Record<string, string> = {};
  let redacted = "";
  let cursor = 0;
  for (const match of findMatches(text, known)) {
    const id = `${match.kind}:${match.key}`;
    let placeholder = placeholderByKey.get(id);
    if (!placeholder) {
      const used = taken.get(match.kind)!;
      let number = 1;
      while (used.has(number)) number++;
      used.add(number);
      placeholder = `[${match.kind}_${number}]`;
      placeholderByKey.set(id, placeholder);
      placeholders[placeholder] = text.slice(match.start, match.end);
    }
    redacted += text.slice(cursor, match.start) + placeholder;
    cursor = match.end;
  }
  return { text: redacted + text.slice(cursor), placeholders };
}

/** Inside the app only: the placeholders of one redaction back to what they replaced. */
export function restorePii(text: string, placeholders: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (placeholder) =>
    Object.hasOwn(placeholders, placeholder) ? placeholders[placeholder]! : placeholder,
  );
}

/** What redactPii would replace, in order of appearance, for tests and audits. */
export function findPii(text: string, known: KnownPii = {}): string[] {
  return findMatches(text, known).map((match) => text.slice(match.start, match.end));
}

function findMatches(text: string, known: KnownPii): Match[] {
  const candidates = [
    ...matchesOf(text, EMAIL, "EMAIL", (email) => email.toLowerCase()),
    ...numberMatches(text),
    ...matchesOf(text, PHONE_AFTER_KEYWORD, "PHONE", digitsOf),
    ...ADDRESSES.flatMap((pattern) => matchesOf(text, pattern, "ADDRESS", foldKey)),
    ...customerIdMatches(text, known.customerIds ?? []),
    ...nameMatches(text, known.names ?? []),
  ];
  candidates.sort(
    (a, b) => PRECEDENCE.indexOf(a.kind) - PRECEDENCE.indexOf(b.kind) || a.start - b.start || b.end - a.end,
  );
  const claimed = new Uint8Array(text.length);
  for (const existing of text.matchAll(PLACEHOLDER)) {
    claimed.fill(1, existing.index, existing.index + existing[0].length);
  }
  const accepted: Match[] = [];
  for (const candidate of candidates) {
    if (candidate.end <= candidate.start || claimed.subarray(candidate.start, candidate.end).includes(1)) continue;
    claimed.fill(1, candidate.start, candidate.end);
    accepted.push(candidate);
  }
  return accepted.sort((a, b) => a.start - b.start);
}

/**
 * Patterns that need context (the character before a token, a keyword before a phone number)
 * capture the value in group 1, with the d flag.
 */
function matchesOf(text: string, pattern: RegExp, kind: PiiKind, key: (value: string) => string): Match[] {
  const found: Match[] = [];
  for (const match of text.matchAll(pattern)) {
    const [start, end] = match.indices?.[1] ?? [match.index, match.index + match[0].length];
    found.push({ start, end, kind, key: key(text.slice(start, end)) });
  }
  return found;
}

const digitsOf = (value: string) => value.replace(/\D/g, "");

/** Start of input or one character outside `characters`: a token boundary without lookbehind. */
const after = (characters: string) => `(?:^|[^${characters}])`;

// ---------------------------------------------------------------------------------------------
// Emails: ASCII or not, plus-addressing and subdomains; lengths bounded as in RFC 5321.

const EMAIL_CHARACTER = String.raw`\p{L}\p{N}._%+'\-`;
const EMAIL = new RegExp(
  String.raw`${after(EMAIL_CHARACTER)}([${EMAIL_CHARACTER}]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?\.){1,8}\p{L}{2,24})(?![\p{L}\p{N}\-])`,
  "dgu",
);

// ---------------------------------------------------------------------------------------------
// Phone and card numbers. A run of digit groups is cut into candidates only at spaces, and a
// candidate must have the whole shape of a phone or card number: "+1 415 555 0134" does, while
// "#1001", "12.99", "SKU-12345" and "2026-11-20" never start a run or never fit a shape.

const NUMBER_RUN = /[+(]?\d[\d().\-/ ]*/g;
// A number glued to these is part of something else: "SKU-12345", "$12.99", "#1001", "v2.1".
const NOT_BEFORE_NUMBER = /[\p{L}\p{N}_#$€£¥.,\-/+@]/u;
const NUMBER_GROUP = /\+?(?:\(\d+\)|\d+)/g;
const MAX_GROUPS = 8;
const MAX_NUMBER_LENGTH = 32;
const MIN_NUMBER_DIGITS = 8;

const PHONE_SHAPES: ReadonlyArray<{ shape: RegExp; digits: [number, number] }> = [
  // International; the last group has two digits or more, so a trailing quantity stays out.
  { shape: /^\+\d{1,15}(?:(?: ?\(\d{1,4}\) ?|[ .-])\d{1,10})*\d$/, digits: [8, 15] },
  // North American: (415) 555-0134, 415.555.0134, 1-800-555-0134.
  { shape: /^(?:1 ?)?\([2-9]\d{2}\) ?[2-9]\d{2}[ .-]\d{4}$/, digits: [10, 11] },
  { shape: /^(?:1([ .-]))?[2-9]\d{2}([ .-])[2-9]\d{2}\2\d{4}$/, digits: [10, 11] },
  // National with a trunk 0 (or 00 for abroad): 06 12 34 56 78, 030/1234567, (030) 1234567.
  { shape: /^0{1,2}[1-9]\d{0,4}([ .\-/])\d{2,8}(?:\1\d{2,8}){0,5}$/, digits: [9, 15] },
  { shape: /^\(0[1-9]\d{0,4}\) ?\d{2,8}(?:[ .-]\d{2,8}){0,3}$/, digits: [9, 15] },
  { shape: /^0[1-9]\d{8,9}$/, digits: [10, 11] },
  // Spanish and Italian numbers have no trunk 0: 612 345 678, 91 123 45 67, 347 123 4567.
  { shape: /^[6-9]\d{2}([ .-])\d{3}\1\d{3}$/, digits: [9, 9] },
  { shape: /^[6-9]\d{2}([ .-])\d{2}\1\d{2}\1\d{2}$/, digits: [9, 9] },
  { shape: /^[89]\d([ .-])\d{3}\1\d{2}\1\d{2}$/, digits: [9, 9] },
  { shape: /^3\d{2}[ .-]\d{6,7}$/, digits: [9, 10] },
  { shape: /^3\d{2}([ .-])\d{3}\1\d{3,4}$/, digits: [9, 10] },
];

// Groups share one separator: 4111 1111 1111 1111, 3782 822463 10005.
const CARD_SHAPE = /^\d{13,19}$|^\d{4,6}([ -])\d{3,7}(?:\1\d{1,7}){1,4}$/;
// Issuer prefixes by length keep most barcodes (EAN-13, GTIN-14) out: 13 digits is Visa only,
// 14 Diners, 15 Amex, longer ones start with 2–6.
const CARD_ISSUER = /^(?:4\d{12}|3[068]\d{12}|3[47]\d{13}|[2-6]\d{15,18})$/;

function numberMatches(text: string): Match[] {
  const found: Match[] = [];
  for (const run of text.matchAll(NUMBER_RUN)) {
    // digitsBefore[k]: digits in the groups before group k, to skip hopeless candidates cheaply.
    const groups: Array<{ start: number; end: number }> = [];
    const digitsBefore = [0];
    let digitCount = 0;
    for (const group of run[0].matchAll(NUMBER_GROUP)) {
      const start = run.index + group.index;
      groups.push({ start, end: start + group[0].length });
      digitCount += digitsOf(group[0]).length;
      digitsBefore.push(digitCount);
    }
    for (let i = 0; i < groups.length; i++) {
      const start = groups[i]!.start;
      const before = text[start - 1] ?? "";
      if (i === 0 ? NOT_BEFORE_NUMBER.test(before) : !/\s/.test(before)) continue;
      for (let j = Math.min(groups.length, i + MAX_GROUPS) - 1; j >= i; j--) {
        const end = groups[j]!.end;
        const digits = digitsBefore[j + 1]! - digitsBefore[i]!;
        if (digits < MIN_NUMBER_DIGITS || end - start > MAX_NUMBER_LENGTH || !numberEndsAt(text, end)) continue;
        const kind = numberKind(text.slice(start, end));
        if (kind) {
          found.push({ start, end, kind, key: digitsOf(text.slice(start, end)) });
          i = j;
          break;
        }
      }
    }
  }
  return found;
}

// Not inside a longer number ("0612-345" of "0612-345-99") nor glued to a word or percent sign.
function numberEndsAt(text: string, end: number): boolean {
  const next = text[end] ?? "";
  if (/[\p{L}\p{N}_%]/u.test(next)) return false;
  return !(/[.\-/]/.test(next) && /\d/.test(text[end + 1] ?? ""));
}

function numberKind(candidate: string): "PHONE" | "CARD" | undefined {
  const digits = digitsOf(candidate);
  const isPhone = PHONE_SHAPES.some(
    ({ shape, digits: [min, max] }) => digits.length >= min && digits.length <= max && shape.test(candidate),
  );
  if (isPhone) return "PHONE";
  if (CARD_ISSUER.test(digits) && CARD_SHAPE.test(candidate) && passesLuhn(digits)) return "CARD";
  return undefined;
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

// After a word that announces a phone ("call me at", "Tel.:", "mi teléfono es", "Handy:"), a
// plain run of 7–15 digits is a phone too — unless it is a date.
const PHONE_WORDS =
  "phone|telephone|tel|tél|téléphone|mobile|cell|call|text|whatsapp|sms|teléfono|telefono|móvil|movil|celular|portable|telefon|handy|mobil";
const PHONE_FILLERS = "me|at|on|is|es|est|ist|my|mi|mon|ma|mein|meine|no|nº|n°|number|número|numéro|nummer|unter|al|au";
const PHONE_AFTER_KEYWORD = new RegExp(
  String.raw`${after(String.raw`\p{L}`)}(?:${PHONE_WORDS})(?!\p{L})(?:[^\p{L}\p{N}\n]{1,4}(?:${PHONE_FILLERS})(?!\p{L})){0,3}[^\p{L}\p{N}\n]{0,4}` +
    String.raw`(?!\d{4}[\-./]\d\d?[\-./]\d\d?(?!\d)|\d\d?[\-./]\d\d?[\-./]\d{2,4}(?!\d))` +
    String.raw`(\+?\d(?:[ .\-/]?\d){6,14})(?!\p{N}|[ .\-/]\d)`,
  "dgiu",
);

// ---------------------------------------------------------------------------------------------
// Street addresses: a house number and a street word, in the orders English, French, Spanish,
// Italian and German write them. Postal codes and cities are left: they do not identify anyone.

// A capitalised word of a street name: "Main", "Champs-Élysées", "d'Azeglio", an initial "G.".
const STREET_WORD = String.raw`(?:[dDlL]['’])?\p{Lu}(?:\.|[\p{L}\p{M}'’\-]{0,30})`;
const HOUSE_NUMBER_START = after(String.raw`\p{L}\p{N}_#$€£¥.,\-/`);
const WORD_START = after(String.raw`\p{L}\p{N}`);
const WORD_END = String.raw`(?![\p{L}\p{N}])`;

/** "street" → "[Ss]treet|STREET": a typed address may start a street word either way. */
const anyCase = (words: string[]) =>
  words.map((word) => `[${word[0]!.toUpperCase()}${word[0]}]${word.slice(1)}|${word.toUpperCase()}`).join("|");

const ENGLISH_STREET = anyCase(["street", "avenue", "road", "lane", "boulevard", "drive", "way", "court", "place"]);
const ENGLISH_STREET_ABBREVIATION = anyCase(["st", "ave", "rd", "ln", "blvd", "dr", "ct", "pl"]);
const FRENCH_STREET = anyCase([
  "rue",
  "avenue",
  String.raw`av\.`,
  "boulevard",
  "bd",
  "place",
  "allée",
  "allee",
  "chemin",
  "impasse",
  "quai",
  "route",
  "cours",
  "square",
]);
// Lower case only where the word is not also an everyday English or Italian word ("via", "largo").
const SOUTHERN_STREET = String.raw`[Cc]alle|C/|[Aa]venida|Avda\.|[Pp]aseo|Plaza|Camino|Carretera|Ronda|Travesía|Via|[Vv]iale|[Pp]iazza|Corso|Largo|Vicolo`;
const SOUTHERN_PARTICLE = "de|del|la|las|los|el|y|di|della|dello|dei|degli|delle";
const GERMAN_STREET = String.raw`Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse`;

const ADDRESSES = [
  // 221B Baker Street, 350 5th Ave
  new RegExp(
    String.raw`${HOUSE_NUMBER_START}(\d{1,5}[A-Za-z]?,? +(?:(?:${STREET_WORD}|\d{1,3}(?:st|nd|rd|th)) +){1,4}` +
      String.raw`(?:(?:${ENGLISH_STREET})${WORD_END}|(?:${ENGLISH_STREET_ABBREVIATION})${WORD_END}\.?))`,
    "dgu",
  ),
  // 12 rue de la Paix, 3 bis, rue du 4 Septembre
  new RegExp(
    String.raw`${HOUSE_NUMBER_START}(\d{1,4}(?: ?(?:bis|ter))?,? +(?:${FRENCH_STREET}) +(?:(?:de|du|des|la|le|les) +){0,3}` +
      String.raw`(?:${STREET_WORD}|\d{1,2}(?:er)?)(?:[ \-]${STREET_WORD}){0,3})`,
    "dgu",
  ),
  // Calle 12, Calle Mayor, 5, C/ Mayor 12, Via dei Mille 3. Only "calle" goes without a name
  // (numbered streets); three digits at most keep "Plaza Collection 2024" a product.
  new RegExp(
    String.raw`${WORD_START}((?:(?:${SOUTHERN_STREET})(?: +(?:${SOUTHERN_PARTICLE}|${STREET_WORD})){1,5}|[Cc]alle),? +(?:n[º°o]\.? ?)?\d{1,3}[A-Za-z]?)${WORD_END}`,
    "dgu",
  ),
  // Hauptstraße 5, Hauptstr. 5, Konrad-Adenauer-Straße 7a, Berliner Straße 12
  new RegExp(
    String.raw`${WORD_START}((?:\p{Lu}[\p{L}\-]{0,40}?(?:${GERMAN_STREET.toLowerCase()}|-(?:${GERMAN_STREET}))|\p{Lu}\p{L}{1,30} (?:${GERMAN_STREET}))` +
      String.raw` ?\d{1,4}(?: ?[a-zA-Z])?)${WORD_END}`,
    "dgu",
  ),
];

// ---------------------------------------------------------------------------------------------
// Customer ids: any Shopify customer GID, and the ids the app knows, as whole tokens. A known GID
// also matches its bare number and the other way round (one id convention, see ids.ts).

const CUSTOMER_GID = /gid:\/\/shopify\/Customer\/\d{1,20}(?!\d)/g;

const customerKey = (id: string) => externalId(id) ?? id;

function customerIdMatches(text: string, knownIds: string[]): Match[] {
  const found = matchesOf(text, CUSTOMER_GID, "CUSTOMER_ID", customerKey);
  const tokens = new Set<string>();
  for (const id of knownIds) {
    const trimmed = id.trim();
    if (!trimmed) continue;
    tokens.add(trimmed);
    tokens.add(customerKey(trimmed));
  }
  if (tokens.size === 0) return found;
  const pattern = new RegExp(
    String.raw`${after(String.raw`\p{L}\p{N}_\-./`)}(${alternation([...tokens], escapeRegExp)})(?![\p{L}\p{N}_]|[\-./][\p{L}\p{N}])`,
    "dgu",
  );
  return [...found, ...matchesOf(text, pattern, "CUSTOMER_ID", customerKey)];
}

// ---------------------------------------------------------------------------------------------
// Names: the ones the app knows, and the ones people introduce themselves with. Matched on
// whole words, ignoring case and accents (María = MARIA).

const INTRODUCED_NAME = String.raw`\p{Lu}[\p{L}\p{M}'’]{0,30}(?:-\p{Lu}[\p{L}\p{M}'’]{0,30})?`;
// "Ich heiße Sie (herzlich) willkommen" welcomes someone; it names no one.
const NOT_A_WELCOME = String.raw`(?!(?:Sie|Ihr|Euch|Dich|Du)(?!\p{L}))(?!\p{L}+(?: +\p{L}+){0,2} +willkommen)`;
const SELF_INTRODUCTION = new RegExp(
  String.raw`${after(String.raw`\p{L}`)}(?:[Mm]y name is|[Mm]e llamo|[Jj]e m['’]appelle|[Ii]ch hei(?:ß|ss)e)(?: *: *| +)` +
    String.raw`${NOT_A_WELCOME}(${INTRODUCED_NAME}(?: +${INTRODUCED_NAME})?)`,
  "dgu",
);

// Parts of a name that are ordinary words on their own ("María del Carmen").
const NAME_PARTICLES = new Set(["del", "della", "der", "den", "des", "van", "von", "los", "las", "les", "dos", "das"]);
const MIN_NAME_PART = 3;

function nameMatches(text: string, knownNames: string[]): Match[] {
  const introduced = matchesOf(text, SELF_INTRODUCTION, "NAME", foldKey);
  const terms = new Set<string>();
  for (const name of [...knownNames, ...introduced.map((match) => text.slice(match.start, match.end))]) {
    const full = foldKey(name);
    if (full.includes(" ") || [...full].length >= MIN_NAME_PART) terms.add(full);
    for (const part of full.split(/[^\p{L}\p{N}'’]+/u)) {
      if ([...part].length >= MIN_NAME_PART && !NAME_PARTICLES.has(part)) terms.add(part);
    }
  }
  terms.delete("");
  if (terms.size === 0) return introduced;

  const pattern = new RegExp(
    String.raw`${after(String.raw`\p{L}\p{N}_`)}(${alternation([...terms], (term) => escapeRegExp(term).replace(/ /g, String.raw`\s+`))})(?![\p{L}\p{N}_])`,
    "dgu",
  );
  const { folded, origins } = foldWithOrigins(text);
  const found = [...introduced];
  for (const match of folded.matchAll(pattern)) {
    const [start, end] = match.indices![1]!;
    found.push({
      start: origins[start]!,
      end: origins[end]!,
      kind: "NAME",
      key: match[1]!.replace(/\s+/g, " "),
    });
  }
  return found;
}

/** Lower case without accents, with the index in `text` each folded character came from. */
function foldWithOrigins(text: string): { folded: string; origins: number[] } {
  let folded = "";
  const origins: number[] = [];
  for (let i = 0; i < text.length;) {
    const char = String.fromCodePoint(text.codePointAt(i)!);
    const plain = char.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    folded += plain;
    for (let k = 0; k < plain.length; k++) origins.push(i);
    i += char.length;
  }
  origins.push(text.length);
  return { folded, origins };
}

function foldKey(value: string): string {
  return foldWithOrigins(value).folded.trim().replace(/\s+/g, " ");
}

// Longest first, so "maria garcia" wins over "maria" where both match.
function alternation(terms: string[], escape: (term: string) => string): string {
  return [...terms]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join("|");
}

function escapeRegExp(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}
