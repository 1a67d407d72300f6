import { useEffect, useState } from 'preact/hooks';

export interface Route {
  section: string;
  id: string | undefined;
}

function current(): Route {
  const [section = '', id] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { section, id: id || undefined };
}

/** Hash routes (#/runs/<id>): the server serves one page, and a reload keeps the view. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export const href = (section: string, id?: string): string => `#/${section}${id ? `/${encodeURIComponent(id)}` : ''}`;
