import { describe, expect, it } from 'vitest';
import { isEncryptedKey } from './keys.js';

const openssh = (body: Buffer) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;
const magic = Buffer.from('openssh-key-v1\0', 'latin1');
const str = (s: string) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(s.length);
  return Buffer.concat([len, Buffer.from(s, 'latin1')]);
};

describe('isEncryptedKey', () => {
  it('reads the cipher of an OpenSSH key, and takes a cut-off key as unreadable rather than throwing', () => {
    expect(isEncryptedKey(openssh(Buffer.concat([magic, str('none'), str('none')])))).toBe(false);
    expect(isEncryptedKey(openssh(Buffer.concat([magic, str('aes256-ctr'), str('bcrypt')])))).toBe(true);
    // Too short for its length field, and a length past the end: no exception, ssh-keygen judges it next.
    expect(isEncryptedKey(openssh(magic))).toBe(false);
    expect(isEncryptedKey(openssh(Buffer.concat([magic, Buffer.from([0, 0, 1, 0]), Buffer.from('no')])))).toBe(false);
    expect(isEncryptedKey('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n')).toBe(true);
  });
});
