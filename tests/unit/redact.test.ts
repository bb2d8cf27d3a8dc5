/**
 * Redaction before text goes to a language model: what a cashier types in four languages, what
 * must become a placeholder, and what a shop writes all day that must come through untouched.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findPii, type KnownPii, redactPii, restorePii } from "../../shared/redact";

const redacted = (text: string, known?: KnownPii) => redactPii(text, known).text;

describe("emails", () => {
  it.each([
    ["Customer wrote from %s about the zipper", "ana.lopez+returns@mail.example.co.uk"],
    ["Send the receipt to %s please", "JEAN.DUPONT@EXAMPLE.FR"],
    ["El cliente dejó su correo: %s.", "maria_garcia@correo.es"],
    ["Bitte an %s schicken", "hans-peter.mueller@firma.de"],
    ["Reçu envoyé à <%s>", "élodie@exemple.fr"],
    ["%s", "o'neil.99@sub.domain.example.com"],
  ])("replaces the whole address in %j", (sentence, email) => {
    const text = sentence.replace("%s", email);
    expect(findPii(text)).toEqual([email]);
    expect(redacted(text)).toBe(sentence.replace("%s", "[EMAIL_1]"));
  });

  it.each([
    "Tagged @shopify on the receipt",
    "2 @ $5 each",
    "user@localhost never confirmed",
    "Email missing, @ sign only",
    "promo code SAVE@10",
  ])("leaves %j alone", (text) => {
    expect(findPii(text)).toEqual([]);
  });

  it("gives the same address the same placeholder, whatever its case", () => {
    expect(redacted("ana@example.com asked; ANA@EXAMPLE.COM again; bo@example.com too")).toBe(
      "[EMAIL_1] asked; [EMAIL_1] again; [EMAIL_2] too",
    );
  });
});

describe("phone numbers", () => {
  it.each([
    // English
    ["Call back on %s tomorrow", "+1 415 555 0134"],
    ["Customer phone %s", "(415) 555-0134"],
    ["Left %s as contact", "415.555.0134"],
    ["Reach her at 1-800-555-0134 or %s", "415-555-0134"],
    ["UK number %s", "+44 20 7946 0958"],
    ["UK number %s", "+44 (0)20 7946 0958"],
    ["Mobile %s, evenings only", "07700 900123"],
    // French
    ["Le client a laissé le %s pour le rappel", "06 12 34 56 78"],
    ["Numéro : %s", "+33 6 12 34 56 78"],
    ["Joindre au %s", "06.12.34.56.78"],
    ["Joindre au %s", "0612345678"],
    // German
    ["Rückruf unter %s", "+49 30 1234567"],
    ["Festnetz %s", "030 1234567"],
    ["Festnetz %s", "030/1234567"],
    ["Festnetz %s", "(030) 1234567"],
    ["Handy %s", "0171 1234567"],
    // Spanish and Italian
    ["Llamar al %s por la tarde", "612 345 678"],
    ["Llamar al %s", "+34 612 345 678"],
    ["Oficina %s", "91 123 45 67"],
    ["Chiamare il %s", "347 123 4567"],
  ])("finds %j", (sentence, phone) => {
    const text = sentence.replace("%s", phone);
    expect(findPii(text)).toContain(phone);
    expect(redacted(text)).not.toContain(phone);
  });

  it.each([
    ["call me at %s", "4155550134"],
    ["Tel.: %s", "4155550134"],
    ["mi teléfono es %s", "612345678"],
    ["Handy: %s", "01711234567"],
    ["téléphone %s", "0612345678"],
  ])("after a phone word, takes a plain digit run: %j", (sentence, phone) => {
    expect(findPii(sentence.replace("%s", phone))).toEqual([phone]);
  });

  it.each([
    "Order #1001 was paid",
    "Price was $12.99, now 12,99 €",
    "Bought on 2026-11-20, returned 20/11/2026 or 20.11.2026",
    "Datum 01.12.2026 10.30 Uhr",
    "SKU-12345 and SKU 12345-678",
    "Qty 12, x3, 15% off",
    "Orders 1001 1002 1003 merged",
    "Paris 75002, 10115 Berlin, 28013 Madrid",
    "ISBN 978-3-16-148410-0",
    "call on 2026-11-20 about it",
    "text me 2 more sizes",
    "Sizes 36 38 40 42 44 in stock",
    "Barcode 0012345678905",
    "Opening 10:30 to 18:00",
  ])("leaves the numbers of %j alone", (text) => {
    expect(findPii(text)).toEqual([]);
  });

  it("does not swallow a quantity written after the number", () => {
    expect(findPii("+1 415 555 0134 2 times")).toEqual(["+1 415 555 0134"]);
  });

  it("gives the same number the same placeholder, however it is written", () => {
    expect(redacted("(415) 555-0134 or 415.555.0134, not 415 555 0199")).toBe("[PHONE_1] or [PHONE_1], not [PHONE_2]");
  });
});

describe("card numbers", () => {
  it.each([
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "5555555555554444",
    "3782 822463 10005",
    "6011 0009 9013 9424",
  ])("replaces %j", (card) => {
    expect(redacted(`Paid with ${card} yesterday`)).toBe("Paid with [CARD_1] yesterday");
  });

  it.each([
    "4111 1111 1111 1112", // fails Luhn
    "1234 5678 9012 3452", // passes Luhn, no issuer starts with 1
    "4111 1111-1111 1111", // mixed separators
    "4111 1111 1111", // too short
    "5901234123457", // EAN-13 barcode that happens to pass Luhn
  ])("leaves %j alone", (digits) => {
    expect(findPii(`Tarjeta ${digits} anotada`)).toEqual([]);
  });
});

describe("street addresses", () => {
  it.each([
    // English
    ["Ship to %s, London NW1", "221B Baker Street"],
    ["Lives at %s NW", "1600 Pennsylvania Avenue"],
    ["Store pickup from %s", "350 5th Ave"],
    ["Delivered to %s yesterday", "12 Main St."],
    ["Delivered to %s", "42 Elm Rd"],
    ["Delivered to %s", "7 Sunset Blvd"],
    ["Delivered to %s", "10 Downing St"],
    // Spanish
    ["Vive en la %s, Madrid", "Calle 12"],
    ["Dirección: %s, 2º B", "Calle Mayor 5"],
    ["Enviar a %s", "calle de Alcalá 45"],
    ["Enviar a %s", "Avenida de la Constitución 3"],
    ["Enviar a %s", "Plaza Mayor, 3"],
    ["Enviar a %s", "C/ Mayor 12"],
    // French
    ["Livrer au %s, 75002 Paris", "12 rue de la Paix"],
    ["Livrer au %s", "5 avenue des Champs-Élysées"],
    ["Livrer au %s", "3 bis, rue du Faubourg Saint-Honoré"],
    ["Livrer au %s", "8 place Vendôme"],
    ["Livrer au %s", "2 rue du 4 Septembre"],
    // German
    ["Lieferung an %s, 10115 Berlin", "Hauptstraße 5"],
    ["Lieferung an %s", "Hauptstr. 5"],
    ["Lieferung an %s", "Konrad-Adenauer-Straße 7a"],
    ["Lieferung an %s", "Berliner Straße 12"],
    ["Lieferung an %s", "Goethestrasse 10"],
    ["Lieferung an %s", "Lindenallee 4"],
    // Italian
    ["Spedire a %s, Roma", "Via Roma 10"],
    ["Spedire a %s", "Via dei Mille 3"],
    ["Spedire a %s", "Piazza Navona 5"],
    ["Spedire a %s", "Corso Vittorio Emanuele II 12"],
  ])("replaces %j", (sentence, address) => {
    const text = sentence.replace("%s", address);
    expect(findPii(text)).toEqual([address]);
    expect(redacted(text)).toBe(sentence.replace("%s", "[ADDRESS_1]"));
  });

  it.each([
    "2 items way too small",
    "I returned 3 on the way home",
    "Shipped via email, 2 days late",
    "Route 66 T-shirt, size M",
    "Buy 2 get 1 free on Street Runner shoes",
    "la calle estaba cerrada, 3 clientes esperando",
    "2 rue ou pas, je ne sais plus",
    "Platz für 5 Personen",
    "Rain jacket 2-pack",
  ])("leaves %j alone", (text) => {
    expect(findPii(text)).toEqual([]);
  });
});

describe("customer ids", () => {
  it("replaces Shopify customer GIDs, but not other resources' GIDs", () => {
    expect(redacted("Merged gid://shopify/Customer/7365219 into gid://shopify/Order/450789469")).toBe(
      "Merged [CUSTOMER_ID_1] into gid://shopify/Order/450789469",
    );
  });

  it("replaces a known id only as a whole token", () => {
    const known = { customerIds: ["cust-42", "7365219"] };
    expect(redacted("cust-42 and 7365219 vs cust-420, 73652190, #7365219-B, SKU-cust-42", known)).toBe(
      "[CUSTOMER_ID_1] and [CUSTOMER_ID_2] vs cust-420, 73652190, #7365219-B, SKU-cust-42",
    );
  });

  it("treats a GID and its bare number as one customer", () => {
    expect(
      redacted("gid://shopify/Customer/7365219 is 7365219", { customerIds: ["gid://shopify/Customer/7365219"] }),
    ).toBe("[CUSTOMER_ID_1] is [CUSTOMER_ID_1]");
  });
});

describe("known names", () => {
  const known = { names: ["María García", "Ann", "Li Wei", "María del Carmen Ruiz"] };

  it("matches the full name and each part, ignoring case and accents", () => {
    expect(findPii("Maria GARCIA came back; garcía paid; MARÍA waited", known)).toEqual([
      "Maria GARCIA",
      "garcía",
      "MARÍA",
    ]);
  });

  it("gives each spelling of the same name one placeholder", () => {
    expect(redacted("María García, then maria garcia, then García", known)).toBe(
      "[NAME_1], then [NAME_1], then [NAME_2]",
    );
  });

  it("matches whole words only", () => {
    expect(findPii("Annual planning with Joanne; Ann's receipt; ANN called", known)).toEqual(["Ann", "ANN"]);
  });

  it("skips short parts and particles on their own, but not in the full name", () => {
    expect(findPii("Li Wei bought it; Li and Wei; del Carmen", known)).toEqual(["Li Wei", "Wei", "Carmen"]);
    expect(findPii("Las botas del escaparate", known)).toEqual([]);
  });

  it("takes names and ids with punctuation literally", () => {
    const odd = { names: ["Zoë (Zo) O'Neil", "  "], customerIds: ["a+b(1)", ""] };
    expect(findPii("zoe (zo) o'neil and O'NEIL, id a+b(1), not (Zo), ab1 or a+b(12)", odd)).toEqual([
      "zoe (zo) o'neil",
      "O'NEIL",
      "a+b(1)",
    ]);
  });

  it("copes with decomposed accents in the text", () => {
    expect(findPii("Mari\u0301a Garci\u0301a and Garci\u0301a", known)).toEqual([
      "Mari\u0301a Garci\u0301a",
      "Garci\u0301a",
    ]);
  });

  it("finds nothing without known names", () => {
    expect(findPii("Ann and María García bought boots")).toEqual([]);
  });
});

describe("self-introduced names", () => {
  it.each([
    ["My name is John Smith and I want a refund", "John Smith"],
    ["my name is Sofia, receipt attached", "Sofia"],
    ["Me llamo María José y quiero cambiarlo", "María José"],
    ["Je m'appelle Élodie Durand, merci", "Élodie Durand"],
    ["je m’appelle Jean-Luc", "Jean-Luc"],
    ["Ich heiße Jürgen Müller", "Jürgen Müller"],
    ["ich heisse Jürgen und möchte umtauschen", "Jürgen"],
  ])("takes the name from %j", (text, name) => {
    expect(findPii(text)).toEqual([name]);
  });

  it("redacts the same name elsewhere in the text", () => {
    expect(redacted("My name is Sofia Russo. Sofia needs a bigger size; call Russo.")).toBe(
      "My name is [NAME_1]. [NAME_2] needs a bigger size; call [NAME_3].",
    );
  });

  it.each([
    "I'm Not happy with the zipper",
    "I'm John and I want a refund",
    "my name is not on the receipt",
    "me llamo la atención el color",
    "ich heiße nicht gut, dass es kaputt ist",
    "the name is Rain Jacket",
  ])("leaves %j alone", (text) => {
    expect(findPii(text)).toEqual([]);
  });
});

describe("placeholders", () => {
  it("numbers each kind separately, in order of appearance", () => {
    expect(redactPii("bo@example.com, 06 12 34 56 78, ana@example.com, 07 12 34 56 78", { names: ["Bo"] })).toEqual({
      text: "[EMAIL_1], [PHONE_1], [EMAIL_2], [PHONE_2]",
      placeholders: {
        "[EMAIL_1]": "bo@example.com",
        "[PHONE_1]": "06 12 34 56 78",
        "[EMAIL_2]": "ana@example.com",
        "[PHONE_2]": "07 12 34 56 78",
      },
    });
  });

  it("skips numbers already used by placeholder-looking text in the input", () => {
    const text = "Typed [EMAIL_1] and [NAME_2] literally; real: ana@example.com, Ann, Bob";
    const result = redactPii(text, { names: ["Ann", "Bob"] });
    expect(result.text).toBe("Typed [EMAIL_1] and [NAME_2] literally; real: [EMAIL_2], [NAME_1], [NAME_3]");
    expect(result.placeholders).toEqual({ "[EMAIL_2]": "ana@example.com", "[NAME_1]": "Ann", "[NAME_3]": "Bob" });
    expect(restorePii(result.text, result.placeholders)).toBe(text);
  });

  it("lets the stronger kind win where matches overlap", () => {
    const known = { names: ["Maria Garcia", "Baker"], customerIds: ["221"] };
    expect(redacted("maria.garcia@example.com lives at 221B Baker Street", known)).toBe(
      "[EMAIL_1] lives at [ADDRESS_1]",
    );
  });

  it("restores only the placeholders it was given", () => {
    expect(restorePii("[NAME_1] and [NAME_2] and [EMAIL_1] and [toString_1]", { "[NAME_1]": "Ann" })).toBe(
      "Ann and [NAME_2] and [EMAIL_1] and [toString_1]",
    );
    expect(restorePii("[CONSTRUCTOR_1] [__proto___1]", {})).toBe("[CONSTRUCTOR_1] [__proto___1]");
  });

  it("restores the first spelling where several spellings shared a placeholder", () => {
    const result = redactPii("MARÍA called, then maria came", { names: ["María"] });
    expect(result.text).toBe("[NAME_1] called, then [NAME_1] came");
    expect(restorePii(result.text, result.placeholders)).toBe("MARÍA called, then MARÍA came");
  });

  it("restores a value that itself looks like a placeholder without expanding it again", () => {
    expect(restorePii("[NAME_1]", { "[NAME_1]": "[EMAIL_1]", "[EMAIL_1]": "x@example.com" })).toBe("[EMAIL_1]");
  });
});

describe("what a shop writes stays as it is", () => {
  it.each([
    "Rain jacket 2-pack, $12.99, 15% off",
    "Order #1001 placed 2026-11-20, returned 2026-11-27",
    "SKU-12345 / SKU 98765-XL, x3",
    "Shift total 1,234.56 EUR across 87 orders; cash 412.30",
    "Gift card GC-4F2K-88QZ applied, balance 25.00",
    "Zapatillas talla 42, 2 pares, 59,90 €",
    "Veste imperméable, taille 38, lot de 3",
    "Regenjacke Größe L, 2 Stück à 49,99 €",
    "Returned 1 of 3, reason: too small, store 12, register 2",
  ])("%j", (text) => {
    expect(redactPii(text, { names: ["Ann"], customerIds: ["cust-42"] })).toEqual({ text, placeholders: {} });
  });
});

describe("mixed paragraphs", () => {
  const paragraphs: Array<[string, KnownPii, string]> = [
    [
      "Customer Ann Lee (ann.lee+vip@example.com, (415) 555-0134) returned order #1001 from 2026-11-20: Rain jacket 2-pack, $12.99. " +
        "Card 4111 1111 1111 1111 was refunded. Ship the exchange to 221B Baker Street. Lee was polite; gid://shopify/Customer/7365219.",
      { names: ["Ann Lee"] },
      "Customer [NAME_1] ([EMAIL_1], [PHONE_1]) returned order #1001 from 2026-11-20: Rain jacket 2-pack, $12.99. " +
        "Card [CARD_1] was refunded. Ship the exchange to [ADDRESS_1]. [NAME_2] was polite; [CUSTOMER_ID_1].",
    ],
    [
      "Me llamo Lucía Fernández, mi teléfono es 612 345 678 y vivo en la Calle Mayor 5. Devuelvo el pedido #1002 (2 pares, 59,90 €).",
      {},
      "Me llamo [NAME_1], mi teléfono es [PHONE_1] y vivo en la [ADDRESS_1]. Devuelvo el pedido #1002 (2 pares, 59,90 €).",
    ],
    [
      "Je m'appelle Élodie Durand, joignable au 06 12 34 56 78 ou elodie.durand@exemple.fr, 12 rue de la Paix, 75002 Paris. Élodie rend 1 article sur 3.",
      {},
      "Je m'appelle [NAME_1], joignable au [PHONE_1] ou [EMAIL_1], [ADDRESS_1], 75002 Paris. [NAME_2] rend 1 article sur 3.",
    ],
    [
      "Kunde Jürgen Müller (Kundennr. K-77), Hauptstr. 5, Tel. +49 30 1234567, hat am 20.11.2026 zwei Jacken für 99,98 € zurückgegeben.",
      { names: ["Jürgen Müller"], customerIds: ["K-77"] },
      "Kunde [NAME_1] (Kundennr. [CUSTOMER_ID_1]), [ADDRESS_1], Tel. [PHONE_1], hat am 20.11.2026 zwei Jacken für 99,98 € zurückgegeben.",
    ],
  ];

  it.each(paragraphs)("redacts %j", (text, known, expected) => {
    expect(redacted(text, known)).toBe(expected);
  });

  it.each(paragraphs)("restores %j exactly", (text, known) => {
    const result = redactPii(text, known);
    expect(restorePii(result.text, result.placeholders)).toBe(text);
  });

  it.each(paragraphs)("changes nothing more when %j is redacted again", (text, known) => {
    const once = redactPii(text, known);
    const twice = redactPii(once.text, known);
    expect(twice).toEqual({ text: once.text, placeholders: {} });
  });

  it("lists what it replaces in order of appearance", () => {
    const [text, known] = paragraphs[0]!;
    expect(findPii(text, known)).toEqual([
      "Ann Lee",
      "ann.lee+vip@example.com",
      "(415) 555-0134",
      "4111 1111 1111 1111",
      "221B Baker Street",
      "Lee",
      "gid://shopify/Customer/7365219",
    ]);
  });
});

describe("where it runs", () => {
  it("uses no regex lookbehind, which older iOS 16 webviews on the register cannot parse", () => {
    const source = readFileSync(new URL("../../shared/redact.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/\(\?<[=!]/);
  });
});

describe("adversarial input", () => {
  // No timing assertion: a pattern that backtracks catastrophically would hang these for minutes.
  const repeat = (unit: string) => unit.repeat(Math.ceil(20_000 / unit.length)).slice(0, 20_000);

  it.each([
    ["digits, spaces and dots", repeat("1 2.3 4.5 67.8 9 0.")],
    ["spaced single digits", repeat("1 ")],
    ["dotted zeros", repeat("0.")],
    ["one long number", repeat("7")],
    ["phone-like groups", repeat("06 12 34 56 78 ")],
    ["an unfinished email", repeat("a.b-") + "@"],
    ["numbered capitalised words", repeat("1 Ab ")],
    ["a phone word and digits", "call " + repeat("1 ")],
    ["near-names", repeat("annann ")],
  ])("finishes on 20 KB of %s", (_label, text) => {
    const result = redactPii(text, { names: ["Ann"], customerIds: ["12"] });
    expect(restorePii(result.text, result.placeholders)).toBe(text);
  });
});
