import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'enc:v1';

/** The file that holds the generated key when REBILL_ENCRYPTION_KEY is not set. */
export const GENERATED_KEY_FILE = 'encryption.key';

export class FieldCipherError extends Error {}

/**
 * Encrypts single values (card and account numbers, gateway API keys) for storage with
 * AES-256-GCM. A sealed value reads `enc:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url
 * parts). The key id is the first 8 hex characters of SHA-256(key): a value sealed under
 * another key is refused with a message that says so, instead of failing obscurely.
 *
 * `context` is bound as additional authenticated data: a value sealed for one context
 * (e.g. `vault_payment_methods.number:<merchant id>`) cannot be opened in another, so a
 * ciphertext copied to another merchant's row does not decrypt there.
 */
export class FieldCipher {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new FieldCipherError('the encryption key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  static fromHex(hex: string): FieldCipher {
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      throw new FieldCipherError('the encryption key must be 64 hex characters');
    }
    return new FieldCipher(Buffer.from(hex, 'hex'));
  }

  /**
   * REBILL_ENCRYPTION_KEY when set; otherwise a key generated once and kept in
   * `<dataDir>/encryption.key` (mode 0600), as the embedded default keeps its database.
   */
  static fromConfig(config: Pick<AppConfig, 'encryptionKey' | 'dataDir'>): FieldCipher {
    if (config.encryptionKey !== undefined) return FieldCipher.fromHex(config.encryptionKey);
    return FieldCipher.fromHex(loadOrCreateKeyFile(config.dataDir));
  }

  encrypt(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [PREFIX, this.keyId, b64(iv), b64(tag), b64(ciphertext)].join(':');
  }

  decrypt(sealed: string, context = ''): string {
    const parts = sealed.split(':');
    if (parts.length !== 6 || `${parts[0]}:${parts[1]}` !== PREFIX) {
      throw new FieldCipherError('not a value sealed by FieldCipher');
    }
    const [, , keyId, iv, tag, ciphertext] = parts;
    if (keyId !== this.keyId) {
      throw new FieldCipherError(
        `the value was encrypted with another key (key id ${keyId}, current key id ${this.keyId}); ` +
          'set REBILL_ENCRYPTION_KEY to the key it was written with',
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // The plaintext, key and ciphertext never appear in the message.
      throw new FieldCipherError(
        'the sealed value failed authentication (tampered, or another context)',
      );
    }
  }
}

function b64(buf: Buffer): string {
  return buf.toString('base64url');
}

/**
 * Reads `<dataDir>/encryption.key`, creating it when missing. The key is written to a
 * temporary file and hard-linked into place, so the file appears complete or not at all,
 * and two processes starting at once agree on one key: the loser of the race reads the
 * winner's.
 */
export function loadOrCreateKeyFile(dataDir: string, fileName = GENERATED_KEY_FILE): string {
  const path = join(dataDir, fileName);
  const read = () => readFileSync(path, 'utf8').trim();
  try {
    return validKeyText(read(), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
  return validKeyText(read(), path);
}

function validKeyText(text: string, path: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new FieldCipherError(`${path} does not hold a 64-hex-character key`);
  }
  return text;
}
