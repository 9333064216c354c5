/**
 * Encryption at rest of tenant secrets (BYOK provider keys): AES-256-GCM under a key derived with
 * HKDF-SHA-256 from the `ENCRYPTION_KEY` secret, with the tenant id as HKDF info. One tenant's
 * ciphertext therefore cannot be decrypted as another's, and the associated data (what the secret
 * is for, e.g. the provider id) binds a ciphertext to its row.
 */

const encoder = new TextEncoder();
const SALT = encoder.encode("edgeway/tenant-secrets/v1");
const IV_BYTES = 12;
/** Derived keys kept per isolate; deriving is cheap, but not free on the hot path. */
const MAX_CACHED_KEYS = 1000;

// Isolate-scoped on purpose: a derived key is a pure function of (secret, tenant); caching it saves
// two Web Crypto calls per decryption. Bounded; oldest entries go first.
const derived = new Map<string, Promise<CryptoKey>>();
const masters = new Map<string, Promise<CryptoKey>>();

function master(secret: string): Promise<CryptoKey> {
  let key = masters.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
    masters.clear();
    masters.set(secret, key);
  }
  return key;
}

async function tenantKey(secret: string, tenantId: string): Promise<CryptoKey> {
  const id = `${secret.length}:${secret}\u0000${tenantId}`;
  let key = derived.get(id);
  if (!key) {
    key = master(secret).then((m) =>
      crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: SALT, info: encoder.encode(tenantId) },
        m,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      ),
    );
    if (derived.size >= MAX_CACHED_KEYS) derived.delete(derived.keys().next().value as string);
    derived.set(id, key);
    key.catch(() => derived.delete(id));
  }
  return key;
}

export type SealOptions = {
  /** The `ENCRYPTION_KEY` secret (≥ 32 characters). */
  secret: string;
  /** The owner: HKDF info, so the key is the tenant's own. */
  tenantId: string;
  /** Bound to the ciphertext as AES-GCM associated data (e.g. `provider:openai`). */
  context: string;
};

/**
 * Encrypts `plaintext` for one tenant: base64(iv ‖ ciphertext ‖ tag), a fresh random IV each time.
 * @example const stored = await seal({ secret: env.ENCRYPTION_KEY, tenantId, context: "provider:openai" }, "sk-...");
 */
export async function seal(opts: SealOptions, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const key = await tenantKey(opts.secret, opts.tenantId);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(opts.context) },
    key,
    encoder.encode(plaintext),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return toBase64(out);
}

/**
 * Decrypts what `seal` produced with the same secret, tenant and context; null when it does not
 * authenticate (another tenant's ciphertext, another context, a different secret, tampering).
 * @example const plaintext = await unseal({ secret, tenantId, context: "provider:openai" }, stored);
 */
export async function unseal(opts: SealOptions, sealed: string): Promise<string | null> {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(sealed);
  } catch {
    return null;
  }
  if (bytes.byteLength < IV_BYTES + 16) return null;
  const key = await tenantKey(opts.secret, opts.tenantId);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: encoder.encode(opts.context) },
      key,
      bytes.subarray(IV_BYTES),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

// The TC39 base64 methods of Uint8Array (workerd's V8 has them; TypeScript's ES2023 lib does not
// declare them yet): native, one call instead of a loop over every byte.
type Base64Codec = { fromBase64(text: string): Uint8Array };

function toBase64(bytes: Uint8Array): string {
  return (bytes as Uint8Array & { toBase64(): string }).toBase64();
}

/** @throws SyntaxError on anything that is not base64. */
function fromBase64(text: string): Uint8Array {
  return (Uint8Array as unknown as Base64Codec).fromBase64(text);
}
