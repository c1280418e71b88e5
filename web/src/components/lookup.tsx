/**
 * A page reached by a natural key (a person's address, a company's domain: what links from mail
 * carry), which finds the record and replaces itself with the record's own page.
 */
import { useEffect } from 'preact/hooks';
import { navigate } from '../router.tsx';
import { useLoad } from '../use-load.ts';

export function Lookup({
  find,
  by,
  pageOf,
  missing,
}: {
  /** The record with that key, if there is one. */
  find: () => Promise<{ id: string } | undefined>;
  /** The key: a new one finds again. */
  by: string;
  pageOf: (id: string) => string;
  /** What to say when nothing has that key. */
  missing: string;
}) {
  const found = useLoad(find, [by]);
  useEffect(() => {
    if (found.data !== undefined) {
      navigate(pageOf(found.data.id), true);
    }
  }, [found.data]);
  if (found.error !== null) {
    return (
      <p class="error" role="alert">
        {found.error}
      </p>
    );
  }
  return <p>{found.loading ? 'Loading…' : missing}</p>;
}
