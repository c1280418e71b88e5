/** Loads data for a view and re-loads when its inputs change; stale answers are dropped. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(load: () => Promise<T>, inputs: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const ticket = ++latest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (ticket === latest.current) {
          setData(value);
          setError(null);
          setLoading(false);
        }
      },
      (err: unknown) => {
        if (ticket === latest.current) {
          setError(err instanceof Error ? err.message : String(err));
          setLoading(false);
        }
      },
    );
    // `load` is a new closure each render; its inputs are what matter.
  }, [...inputs, round]);
  const reload = useCallback(() => {
    setRound((r) => r + 1);
  }, []);
  return { data, error, loading, reload };
}
