'use client';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';
import type { TreeLine } from './tree-lines';

const SESSION_ROW_PX = 44;
const FOLDER_ROW_PX = 34;

/**
 * The rows in view (and a few around them) of a long tree, inside the sidebar's scrolling
 * `.tree-scroll`; each row keeps its `aria-level` since the folders' groups are flattened.
 * Heights are estimated, then measured as rows render.
 */
export function VirtualRows({ lines, render }: { lines: TreeLine[]; render: (line: TreeLine) => ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: lines.length,
    getScrollElement: () => box.current?.closest('.tree-scroll') ?? null,
    estimateSize: (i) => (lines[i]!.kind === 'session' ? SESSION_ROW_PX : FOLDER_ROW_PX),
    getItemKey: (i) => lines[i]!.key,
    overscan: 8,
    scrollMargin: box.current?.offsetTop ?? 0,
  });
  const items = virtual.getVirtualItems();
  const offset = (items[0]?.start ?? 0) - virtual.options.scrollMargin;
  return (
    <div ref={box} style={{ height: virtual.getTotalSize(), position: 'relative' }}>
      <div style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${offset}px)` }}>
        {items.map((item) => (
          <div key={item.key} data-index={item.index} ref={virtual.measureElement}>
            {render(lines[item.index]!)}
          </div>
        ))}
      </div>
    </div>
  );
}
