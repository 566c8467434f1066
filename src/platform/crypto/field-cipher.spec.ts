import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FieldCipher, loadOrCreateKeyFile } from './field-cipher';

const KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

describe('FieldCipher', () => {
  const cipher = FieldCipher.fromHex(KEY);

  it('round-trips a value and never stores the plaintext', () => {
    const sealed = cipher.encrypt('4111111111111111', 'ctx');
    expect(sealed).toMatch(/^enc:v1:[0-9a-f]{8}:/);
    expect(sealed).not.toContain('4111111111111111');
    expect(cipher.decrypt(sealed, 'ctx')).toBe('4111111111111111');
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('refuses a value opened in another context', () => {
    const sealed = cipher.encrypt('4111111111111111', 'merchant-a');
    expect(() => cipher.decrypt(sealed, 'merchant-b')).toThrow(/failed authentication/);
  });

  it('refuses a tampered value without echoing it', () => {
    const sealed = cipher.encrypt('4111111111111111');
    const parts = sealed.split(':');
    parts[5] = Buffer.from('x'.repeat(16)).toString('base64url');
    expect(() => cipher.decrypt(parts.join(':'))).toThrow(/failed authentication/);
  });

  it('names the key mismatch when a value was sealed under another key', () => {
    const other = FieldCipher.fromHex('ff'.repeat(32));
    expect(() => other.decrypt(cipher.encrypt('x'))).toThrow(/another key/);
  });

  it('generates a key file once, with owner-only permissions, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebill-key-'));
    const first = loadOrCreateKeyFile(dir);
    const second = loadOrCreateKeyFile(dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(readFileSync(join(dir, 'encryption.key'), 'utf8').trim()).toBe(first);
    expect(statSync(join(dir, 'encryption.key')).mode & 0o777).toBe(0o600);
    const a = FieldCipher.fromConfig({ encryptionKey: undefined, dataDir: dir });
    const b = FieldCipher.fromConfig({ encryptionKey: undefined, dataDir: dir });
    expect(b.decrypt(a.encrypt('hello'))).toBe('hello');
  });
});
