// SSH keys of identities: made by ssh-keygen, checked by ssh-keygen, and never kept in
// plain text anywhere but for the moment ssh-keygen needs a file to write a new one.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentEnv } from '../config/index.js';
import { AppError } from '../errors/index.js';

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/**
 * Where ssh-keygen gets the private 0700 folder it needs for a moment: memory (/dev/shm) where
 * the machine has it, so a new key's plain text is never written to a disk even if rdv dies
 * before the folder is removed; the system's temp folder elsewhere.
 */
const scratch = () => mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'rdv-key-'));

const ENV = { PATH: parentEnv().PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };

function run(file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: ENV, timeout: 30_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.on('error', () => undefined); // ssh-keygen may exit before reading it all; its exit code says why.
    child.stdin?.end(input ?? '');
  });
}

/** A new Ed25519 key pair from ssh-keygen, in a private folder in memory, removed at once. */
export async function generateKey(comment: string): Promise<KeyPair> {
  const dir = scratch();
  try {
    const file = join(dir, 'id_ed25519');
    const r = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
    if (r.code !== 0) throw new AppError('unavailable', `ssh-keygen could not make a key: ${r.stderr.trim().slice(0, 200)}`);
    return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when the key text is passphrase-protected (OpenSSH cipher other than "none", or an encrypted PEM). */
export function isEncryptedKey(text: string): boolean {
  if (/Proc-Type:\s*4,ENCRYPTED/.test(text) || /BEGIN ENCRYPTED PRIVATE KEY/.test(text)) return true;
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (!m) return false;
  const raw = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (raw.length < magic.length + 4 || raw.subarray(0, magic.length).toString('latin1') !== magic) return false;
  const len = raw.readUInt32BE(magic.length);
  // A cut-off key says nothing of its cipher; ssh-keygen refuses it next, with a message.
  if (magic.length + 4 + len > raw.length) return false;
  return raw.subarray(magic.length + 4, magic.length + 4 + len).toString('latin1') !== 'none';
}

/**
 * The public key of an imported private key, from `ssh-keygen -y` reading it through a FIFO
 * in a private temp dir (so the key never lands on disk; a socket as stdin, as Node gives
 * children, fails ssh-keygen's permission check). Refuses passphrase-protected keys and
 * anything ssh-keygen cannot read.
 */
export async function publicKeyOf(privateKey: string): Promise<string> {
  if (isEncryptedKey(privateKey)) {
    throw new AppError('invalid_input', 'privateKey: this key is protected by a passphrase; rdv keeps keys encrypted itself, so import it without one (ssh-keygen -p -N "" -f <copy>)');
  }
  const text = privateKey.endsWith('\n') ? privateKey : `${privateKey}\n`;
  const dir = scratch();
  try {
    const fifo = join(dir, 'key');
    execFileSync('mkfifo', ['-m', '600', fifo], { env: ENV });
    const reading = run('ssh-keygen', ['-y', '-P', '', '-f', fifo]);
    let done = false;
    void reading.then(() => (done = true));
    let fd: number | null = null;
    const until = Date.now() + 10_000;
    while (fd === null && !done && Date.now() < until) {
      try {
        fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        // No reader yet (ENXIO): ssh-keygen has not opened it; try again shortly.
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    if (fd !== null) {
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
    }
    const r = await reading;
    const pub = r.stdout.trim();
    if (r.code !== 0 || !/^(ssh-|ecdsa-|sk-)[\w@.-]+ [A-Za-z0-9+/=]+/.test(pub)) {
      throw new AppError('invalid_input', 'privateKey: ssh-keygen cannot read this private key (give an unencrypted OpenSSH or PEM key)');
    }
    return pub.split(/\s+/).slice(0, 2).join(' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `SHA256:…` of an OpenSSH public key line (as `ssh-keygen -l` shows it). */
export function fingerprintOf(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1] ?? '';
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}
