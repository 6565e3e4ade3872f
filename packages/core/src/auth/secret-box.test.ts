import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../testing/index.js';
import { openSecretBox } from './index.js';

describe('secret box', () => {
  it('seals under a 0600 key made on first use, opens only with the same key and binding', () => {
    const serverDir = join(useTempDir(), 'server');
    const box = openSecretBox(serverDir);
    const secret = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n';
    const sealed = box.seal(secret, 'identity:1');
    expect(statSync(join(serverDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('OPENSSH');
    expect(box.seal(secret, 'identity:1')).not.toBe(sealed);
    // A second process reads the same key.
    expect(openSecretBox(serverDir).open(sealed, 'identity:1').toString('utf8')).toBe(secret);
    // Bound to its record: the same value under another record does not open.
    expect(() => box.open(sealed, 'identity:2')).toThrow(/does not open/);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA');
    expect(() => box.open(tampered, 'identity:1')).toThrow(/does not open/);
    expect(() => box.open('plain', 'identity:1')).toThrow(/not in a known format/);
  });

  it('refuses to open with a replaced key, and never echoes the secret in its error', () => {
    const serverDir = join(useTempDir(), 'server');
    const sealed = openSecretBox(serverDir).seal('hunter2', 'host:7');
    const keyPath = join(serverDir, 'secret.key');
    const before = readFileSync(keyPath, 'utf8');
    writeFileSync(keyPath, `${Buffer.alloc(32, 1).toString('base64url')}\n`);
    let message = '';
    try {
      openSecretBox(serverDir).open(sealed, 'host:7');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/was the key replaced/);
    expect(message).not.toContain('hunter2');
    writeFileSync(keyPath, before);
    expect(openSecretBox(serverDir).open(sealed, 'host:7').toString()).toBe('hunter2');
    writeFileSync(keyPath, 'short\n');
    expect(() => openSecretBox(serverDir).seal('x', 'host:7')).toThrow(/256-bit key/);
  });
});
