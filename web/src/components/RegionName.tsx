import { useEffect, useState } from 'react';
import { api } from '../api';

const cache = new Map<string, Promise<string>>();

/** A region's name for its GB/T 2260 code (330100 → 杭州市), fetched once per code; the code while it loads or if unknown. */
export function RegionName({ code }: { code: string }) {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let p = cache.get(code);
    if (!p) {
      p = api.get<{ name: string }>(`/api/reference/regions/${code}`).then((r) => r.name, () => code);
      cache.set(code, p);
    }
    p.then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [code]);
  return <span title={code}>{name ?? code}</span>;
}
