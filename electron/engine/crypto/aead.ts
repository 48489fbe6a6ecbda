// AES-256-GCM with a fresh random 96-bit nonce per message. Sealed layout: nonce (12) || ciphertext || tag (16).
// Random nonces are safe well past any archive's size: the collision bound for 96-bit nonces stays below 2^-32
// up to 2^32 messages per key, and keys are per archive (per-archive salt), so add/delete can never reuse one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

export function seal(key: Buffer, plaintext: Uint8Array, aad: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return Buffer.concat([nonce, body, final, cipher.getAuthTag()]);
}

/** Returns the plaintext, or null when the message was altered, moved, truncated or made with another key. */
export function open(key: Buffer, sealed: Uint8Array, aad: Buffer): Buffer | null {
  if (sealed.length < SEAL_OVERHEAD) return null;
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const nonce = bytes.subarray(0, NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plain = decipher.update(body);
  try {
    return Buffer.concat([plain, decipher.final()]);
  } catch {
    plain.fill(0);
    return null;
  }
}
