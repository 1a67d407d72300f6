import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * Renders only the rows in view (plus a margin), so a run of thousands of events scrolls as
 * smoothly as one of ten. Rows have one fixed height, which makes positions arithmetic: the
 * measuring that virtualisation libraries add is not needed here. While the view is at the
 * bottom it follows new rows (a live stream); scrolling up stops following.
 */
export function VirtualList<T>({ items, rowHeight, height, row, testId }: { items: readonly T[]; rowHeight: number; height: number; row: (item: T, index: number) => ComponentChildren; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const following = useRef(true);
  const overscan = 10;

  useLayoutEffect(() => {
    const element = box.current;
    if (element && following.current) {
      element.scrollTop = element.scrollHeight;
      setScrollTop(element.scrollTop);
    }
  }, [items.length]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return (
    <div
      ref={box}
      class="virtual"
      data-testid={testId}
      data-rows={items.length}
      style={{ height: `${height}px` }}
      onScroll={(event) => {
        const element = event.currentTarget;
        following.current = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight;
        setScrollTop(element.scrollTop);
      }}
    >
      <div style={{ height: `${items.length * rowHeight}px`, position: 'relative' }}>
        {items.slice(first, last).map((item, offset) => (
          <div class="row" key={first + offset} style={{ position: 'absolute', top: `${(first + offset) * rowHeight}px`, height: `${rowHeight}px`, left: 0, right: 0 }}>
            {row(item, first + offset)}
          </div>
        ))}
      </div>
    </div>
  );
}
