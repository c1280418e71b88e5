/**
 * The inbox's keys: "/" focuses the search, j/k move a visible selection (and focus its link, so
 * the focus ring shows it and Enter opens it as any link would). Keys typed into a field are
 * left alone.
 */
import { useEffect, useState } from 'preact/hooks';

interface Options {
  count: number;
  search: { current: HTMLInputElement | null };
  list: { current: HTMLOListElement | null };
  /** The selection starts over when this changes (a new search). */
  reset: string;
}

function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLTextAreaElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

export function useInboxKeys({ count, search, list, reset }: Options): number {
  const [selected, setSelected] = useState(-1);
  useEffect(() => {
    setSelected(-1);
  }, [reset]);
  useEffect(() => {
    const focusRow = (i: number) => {
      const link = list.current?.querySelectorAll<HTMLAnchorElement>('a.row-link')[i];
      link?.focus();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) {
        return;
      }
      if (e.key === '/') {
        e.preventDefault();
        search.current?.focus();
      } else if ((e.key === 'j' || e.key === 'k') && count > 0) {
        e.preventDefault();
        const next = e.key === 'j' ? Math.min(count - 1, selected + 1) : Math.max(0, selected - 1);
        setSelected(next);
        focusRow(next);
      } else if (e.key === 'Enter' && selected >= 0 && !(e.target instanceof HTMLAnchorElement)) {
        e.preventDefault();
        list.current?.querySelectorAll<HTMLAnchorElement>('a.row-link')[selected]?.click();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
    };
  }, [count, selected, search, list]);
  return selected;
}
