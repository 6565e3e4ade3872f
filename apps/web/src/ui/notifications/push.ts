'use client';
import type { RdvClient } from '@rdv/client';

/** Whether this browser can get Web Push (a service worker and the Push API, on a secure origin). */
export const pushSupported = (): boolean =>
  typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof window !== 'undefined' && 'PushManager' in window && window.isSecureContext;

/** Registers rdv's service worker (/sw.js, scope /); null where there is none to be had. */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!pushSupported()) return null;
  try {
    return await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch {
    // A browser that refuses (private mode, a policy): notifications stay in the page.
    return null;
  }
}

/** The VAPID key as PushManager wants it. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** A label people recognise the device by: its platform and browser. */
export function deviceLabel(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const platform = /iPhone|iPad/.test(ua) ? 'iOS' : /Android/.test(ua) ? 'Android' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return [browser, platform && `on ${platform}`].filter(Boolean).join(' ');
}

/** This browser's push subscription, if it has one. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await registerServiceWorker();
  return reg ? reg.pushManager.getSubscription() : null;
}

/**
 * Subscribes this device: asks for permission, subscribes with the server's VAPID key and
 * saves the subscription. Throws with a message for people when it cannot.
 */
export async function subscribeThisDevice(api: RdvClient): Promise<void> {
  const reg = await registerServiceWorker();
  if (!reg) throw new Error('This browser cannot receive push notifications here (it needs HTTPS or localhost).');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error('Notifications are blocked for this site; allow them in the browser settings.');
  const { publicKey } = await api.GET('/api/notifications/vapid-public-key');
  const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  const json = sub.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  const saved = await api.POST('/api/notifications/subscriptions', { body: { endpoint: json.endpoint, keys: json.keys, deviceLabel: deviceLabel() } });
  localStorage.setItem(DEVICE_KEY, saved.id);
}

/** The id the server gave this device's subscription, to remove it by. */
export const DEVICE_KEY = 'rdv.push.device';

/** Stops this browser's subscription and removes it from the server. */
export async function unsubscribeThisDevice(api: RdvClient): Promise<void> {
  const sub = await currentSubscription();
  await sub?.unsubscribe();
  const id = localStorage.getItem(DEVICE_KEY);
  localStorage.removeItem(DEVICE_KEY);
  if (id) await api.DELETE('/api/notifications/subscriptions/{id}', { params: { path: { id } } });
}
