'use client';
import { useEffect, useRef } from 'react';
import { registerServiceWorker } from './push';

/**
 * What the page does for notifications outside the bell: the unread count in the tab
 * title, the service worker registered, and its "open this session" message (a tap on a
 * notification while rdv is open) turned into opening that session's terminal.
 */
export function useNotificationSurface(unread: number, openSession: (id: string) => void): void {
  const open = useRef(openSession);
  open.current = openSession;

  useEffect(() => {
    document.title = unread > 0 ? `(${unread > 99 ? '99+' : unread}) rdv` : 'rdv';
  }, [unread]);

  useEffect(() => {
    void registerServiceWorker();
    if (!('serviceWorker' in navigator)) return;
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; sessionId?: unknown } | null;
      if (data?.type === 'rdv:open-session' && typeof data.sessionId === 'string') open.current(data.sessionId);
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onMessage);
  }, []);
}
