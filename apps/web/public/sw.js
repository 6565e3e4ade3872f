// rdv's service worker: shows the attention notifications the api pushes, answers a
// permission or a question from the notification's buttons, and opens the session.
// Plain script on purpose: the browser loads it as is from /sw.js (scope "/").
'use strict';

const ACTIONS_URL = '/api/notifications/actions';

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

/** The pushed JSON ({id, type, title, body, url, tag, sessionId, count, actions}), or a plain text message. */
function readPayload(data) {
  if (!data) return { title: 'rdv', body: '', url: '/', actions: [] };
  try {
    const p = data.json();
    return { ...p, actions: Array.isArray(p.actions) ? p.actions : [] };
  } catch {
    return { title: 'rdv', body: data.text(), url: '/', actions: [] };
  }
}

async function showPush(data) {
  const p = readPayload(data);
  const max = (self.Notification && self.Notification.maxActions) || 2;
  const actions = p.actions.slice(0, max);
  const tokens = {};
  for (const a of actions) tokens[a.action] = a.token;
  await self.registration.showNotification(p.title || 'rdv', {
    body: p.body || '',
    tag: p.tag || undefined,
    // A newer notification for the same session replaces the old one and still alerts.
    renotify: Boolean(p.tag),
    // An answerable one waits for the person instead of fading out.
    requireInteraction: actions.length > 0,
    icon: '/icon.svg',
    timestamp: Date.now(),
    data: { id: p.id, url: p.url || '/', sessionId: p.sessionId || null, tag: p.tag || null, tokens },
    actions: actions.map((a) => ({ action: a.action, title: a.title })),
  });
}

self.addEventListener('push', (event) => {
  event.waitUntil(showPush(event.data));
});

/** Brings a window of rdv to the session: an open one is told to switch, else a new one opens. */
async function openSession(url, sessionId) {
  const target = new URL(url || '/', self.location.origin);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((c) => new URL(c.url).origin === target.origin);
  if (open) {
    open.postMessage({ type: 'rdv:open-session', url: target.href, sessionId });
    try {
      await open.focus();
    } catch {
      // Focus is only granted while the click is fresh; the window has switched anyway.
    }
    return;
  }
  await self.clients.openWindow(target.href);
}

/** Why an answer was refused, from the api's {error:{message}}, or a generic reason. */
async function refusal(res) {
  if (!res) return 'rdv could not be reached.';
  try {
    const body = await res.json();
    if (body && body.error && typeof body.error.message === 'string') return body.error.message;
  } catch {
    // Not the api's error shape (a proxy's login page, say): fall through to the status.
  }
  return res.status === 401 || res.status === 403 ? 'Sign in to rdv again, then answer from the session.' : `rdv answered ${res.status}.`;
}

async function answer(data, action) {
  const token = data.tokens && data.tokens[action];
  if (!token) return openSession(data.url, data.sessionId);
  const res = await fetch(ACTIONS_URL, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  }).catch(() => null);
  if (res && res.ok) return;
  // Not answered (stale, already answered, signed out, offline): say so; a tap opens the session.
  await self.registration.showNotification('Not answered', {
    body: await refusal(res),
    tag: data.tag || undefined,
    icon: '/icon.svg',
    data: { url: data.url, sessionId: data.sessionId, tag: data.tag, tokens: {} },
  });
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(answer(event.notification.data || {}, event.action));
});
