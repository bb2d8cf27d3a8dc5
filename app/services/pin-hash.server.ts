/**
 * Manager PIN hashing. A PIN has little entropy (a 6-digit PIN is 10^6 guesses), so two layers:
 * a server-side pepper (HMAC-SHA256, key kept out of the database) makes a stolen database alone
 * useless, and scrypt at OWASP's parameters (N=2^17, r=8, p=1) makes each guess expensive when
 * both leak. Stored as `scrypt$N$r$p$<salt>$<hash>` (base64url), so parameters can be raised
 * later and old hashes still verify (see needsRehash).
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export const PIN_HASH_PARAMS = { N: 2 ** 17, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

// scrypt needs 128·N·r bytes (128 MiB here); Node's default maxmem is 32 MiB.
const maxmemFor = (N: number, r: number) => 256 * N * r;

// Bounds on what a stored hash may ask for: a tampered row must not make verify allocate gigabytes.
const LIMITS = { maxN: 2 ** 20, maxR: 32, maxP: 16 };

export class PinHashFormatError extends Error {
  override name = "PinHashFormatError";
}

/** 4 to 10 digits: what a PIN pad can enter, long enough to be worth hashing. */
export function isValidPin(pin: string): boolean {
  return /^\d{4,10}$/.test(pin);
}

function peppered(pin: string, pepper: string): Buffer {
  if (pepper.length < 16) throw new Error("the PIN pepper must be at least 16 characters");
  return createHmac("sha256", pepper).update(pin, "utf8").digest();
}

function derive(secret: Buffer, salt: Buffer, keyBytes: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keyBytes, { N, r, p, maxmem: maxmemFor(N, r) }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPin(pin: string, pepper: string): Promise<string> {
  if (!isValidPin(pin)) throw new Error("a PIN is 4 to 10 digits");
  const { N, r, p, saltBytes, keyBytes } = PIN_HASH_PARAMS;
  const salt = randomBytes(saltBytes);
  const key = await derive(peppered(pin, pepper), salt, keyBytes, N, r, p);
  return ["scrypt", N, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseStored(stored: string): ParsedHash {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") throw new PinHashFormatError("not a scrypt PIN hash");
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,8}$/.test(part) ? Number(part) : NaN)) as [
    number,
    number,
    number,
  ];
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > LIMITS.maxN || !(r >= 1 && r <= LIMITS.maxR) || !(p >= 1 && p <= LIMITS.maxP)) {
    throw new PinHashFormatError("scrypt parameters out of range");
  }
  const salt = Buffer.from(parts[4]!, "base64url");
  const key = Buffer.from(parts[5]!, "base64url");
  if (salt.length < 16 || key.length < 32 || key.length > 64)
    throw new PinHashFormatError("salt or key of the wrong size");
  return { N, r, p, salt, key };
}

/** True when the PIN matches. Throws PinHashFormatError for a stored value that is not ours. */
export async function verifyPin(pin: string, pepper: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  // Malformed input still costs a full derivation, so timing does not tell it apart.
  const candidate = isValidPin(pin) ? pin : "0000";
  const key = await derive(peppered(candidate, pepper), parsed.salt, parsed.key.length, parsed.N, parsed.r, parsed.p);
  return timingSafeEqual(key, parsed.key) && candidate === pin;
}

/** True when a stored hash uses weaker parameters than today's: rehash it after a successful verify. */
export function needsRehash(stored: string): boolean {
  const { N, r, p } = parseStored(stored);
  return N < PIN_HASH_PARAMS.N || r < PIN_HASH_PARAMS.r || p < PIN_HASH_PARAMS.p;
}
