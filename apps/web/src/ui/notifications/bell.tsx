'use client';
import type { Notification, PushSubscriptionInfo } from '@rdv/core/schemas';
import { useCallback, useEffect, useState } from 'react';
import { useUi } from '../app-context';
import { BellIcon, CloseIcon } from '../icons';
import { NOTIFY_TYPES as TYPES, type NotifyTypeKey as TypeKey } from './types';
import { DEVICE_KEY, currentSubscription, pushSupported, subscribeThisDevice, unsubscribeThisDevice } from './push';


function ago(iso: string): string {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** The bell: unread count; its panel lists notifications, this device's Web Push, your devices and what notifies. */
export function Bell() {
  const ui = useUi();
  const [open, setOpen] = useState(false);
  const { unread } = ui.state;
  return (
    <>
      <button
        type="button"
        className="icon-button bell"
        title={unread ? `${unread} unread notification${unread === 1 ? '' : 's'}` : 'Notifications'}
        aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
      >
        <BellIcon />
        {unread > 0 && <span className="badge bell-count">{unread > 99 ? '99+' : unread}</span>}
      </button>
      {open && <NotificationPanel onClose={() => setOpen(false)} />}
    </>
  );
}

function NotificationPanel(props: { onClose: () => void }) {
  const ui = useUi();
  const { api } = ui;
  const [items, setItems] = useState<Notification[] | null>(null);
  const [devices, setDevices] = useState<PushSubscriptionInfo[]>([]);
  const [subscribed, setSubscribed] = useState<boolean | null>(null);
  const [types, setTypes] = useState<Partial<Record<TypeKey, boolean>>>({});
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const [list, devs, prefs] = await Promise.all([api.GET('/api/notifications', { params: { query: { limit: 50 } } }), api.GET('/api/notifications/subscriptions'), api.GET('/api/preferences')]);
    setItems(list.items);
    setDevices(devs.items);
    setTypes(prefs.notifications);
    setSubscribed(pushSupported() ? Boolean(await currentSubscription()) && devs.items.some((d) => d.id === localStorage.getItem(DEVICE_KEY)) : null);
  }, [api]);

  useEffect(() => {
    load().catch(() => ui.toast('Could not load notifications'));
  }, [load, ui, ui.state.notificationsVersion]);

  const attempt = (what: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    fn()
      .then(load)
      .catch((err: unknown) => ui.toast(`${what}: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => setBusy(false));
  };

  const openEntry = (n: Notification) => {
    if (!n.read) attempt('Could not mark it read', () => api.POST('/api/notifications/read', { body: { ids: [n.id] } }));
    if (n.sessionId && ui.state.sessions.some((s) => s.id === n.sessionId)) {
      ui.select(n.sessionId);
      props.onClose();
    }
  };

  return (
    <section className="notification-panel" role="dialog" aria-label="Notifications">
      <header className="panel-head">
        <h3>Notifications</h3>
        <button type="button" className="button small" disabled={busy || !items?.some((n) => !n.read)} onClick={() => attempt('Could not mark them read', () => api.POST('/api/notifications/read', { body: { all: true } }))}>
          Mark all read
        </button>
        <button type="button" className="icon-button" aria-label="Close notifications" onClick={props.onClose}>
          <CloseIcon />
        </button>
      </header>
      <ul className="notification-list">
        {items === null && <li className="quiet">Loading…</li>}
        {items?.length === 0 && <li className="quiet">Nothing yet. Agents that need you will show up here.</li>}
        {items?.map((n) => (
          <li key={n.id} className={n.read ? 'read' : 'unread'}>
            <button type="button" className="notification-entry" onClick={() => openEntry(n)}>
              <span className="row-name">{n.title}</span>
              <span className="row-detail">
                {n.body} · {ago(n.createdAt)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <h4 className="section-title">This device</h4>
      {subscribed === null ? (
        <p className="quiet">This browser cannot get push notifications here (it needs HTTPS or localhost).</p>
      ) : subscribed ? (
        <button type="button" className="button small" disabled={busy} onClick={() => attempt('Could not stop notifications', () => unsubscribeThisDevice(api))}>
          Stop notifying this device
        </button>
      ) : (
        <button type="button" className="button small primary" disabled={busy} onClick={() => attempt('Could not turn notifications on', () => subscribeThisDevice(api))}>
          Notify this device
        </button>
      )}
      <button type="button" className="button small" disabled={busy} onClick={() => attempt('Could not send a test', () => api.POST('/api/notifications/test'))}>
        Send a test
      </button>
      {devices.length > 0 && (
        <>
          <h4 className="section-title">Your devices</h4>
          <ul className="device-list">
            {devices.map((d) => (
              <li key={d.id}>
                <span className="row-text">
                  <span className="row-name">{d.deviceLabel}</span>
                  <span className="row-detail">{d.endpointHost}</span>
                </span>
                <button type="button" className="button small" aria-label={`Remove ${d.deviceLabel}`} disabled={busy} onClick={() => attempt('Could not remove it', () => api.DELETE('/api/notifications/subscriptions/{id}', { params: { path: { id: d.id } } }))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <h4 className="section-title">Notify me when an agent is…</h4>
      <div className="type-switches">
        {TYPES.map(([key, label]) => (
          <label key={key}>
            <input
              type="checkbox"
              checked={types[key] !== false}
              disabled={busy}
              onChange={(e) => {
                const on = e.target.checked;
                setTypes((t) => ({ ...t, [key]: on }));
                attempt('Could not save it', () => api.PATCH('/api/preferences', { body: { notifications: { [key]: on } } }));
              }}
            />
            {label}
          </label>
        ))}
      </div>
    </section>
  );
}
