import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import '@xterm/xterm/css/xterm.css';
import 'diff2html/bundles/css/diff2html.min.css';
import './base.css';
import './layout.css';
import './sidebar.css';
import './terminal.css';
import './dialogs.css';
import './identities.css';
import './diff.css';
import { THEME_BOOT_SCRIPT } from '../ui/theme-boot';

export const metadata: Metadata = {
  title: 'rdv',
  description: 'Your terminals and coding agents, from anywhere.',
  robots: { index: false, follow: false },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  viewportFit: 'cover',
  // The phone keyboard shrinks the layout, so the key bar stays above it.
  interactiveWidget: 'resizes-content',
  themeColor: '#f4f4f1',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
