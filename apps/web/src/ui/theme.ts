'use client';
import { useEffect, useState } from 'react';

export { THEME_KEY } from './theme-boot';

export type ThemeChoice = 'system' | 'light' | 'dark';

/** The effective scheme for a choice, following the system when asked. */
export function useScheme(choice: ThemeChoice): 'light' | 'dark' {
  const [systemDark, setSystemDark] = useState(false);
  useEffect(() => {
    const mq = matchMedia('(prefers-color-scheme: dark)');
    setSystemDark(mq.matches);
    const on = () => setSystemDark(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const scheme = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
  useEffect(() => {
    document.documentElement.dataset.theme = scheme;
    const meta = document.querySelector('meta[name="theme-color"]');
    meta?.setAttribute('content', scheme === 'dark' ? '#16191d' : '#f4f4f1');
  }, [scheme]);
  return scheme;
}
