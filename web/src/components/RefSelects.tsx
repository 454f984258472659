import { useEffect, useRef, useState } from 'react';
import { Cascader, Select } from 'antd';
import { api, type Industry, type Region } from '../api';
import { useApp } from '../context';

interface RegionOption {
  value: string;
  label: string;
  isLeaf: boolean;
  children?: RegionOption[];
  loading?: boolean;
}

/** '330000' → '33', '330100' → '3301', '330106' → '330106'. */
export function regionPrefixOf(code: string): string {
  if (/^\d{2}0000$/.test(code)) return code.slice(0, 2);
  if (/^\d{4}00$/.test(code)) return code.slice(0, 4);
  return code;
}

const toOption = (r: Region): RegionOption => ({ value: r.code, label: r.name, isLeaf: r.level === 'county' });

/** The cascader levels above `code`, starting below the user's jurisdiction. */
function pathFor(code: string, jurisdiction: string): string[] {
  const full = code.padEnd(6, '0');
  const levels = [full.slice(0, 2) + '0000', full.slice(0, 4) + '00', full];
  const uniq = levels.filter((c, i) => levels.indexOf(c) === i);
  // drop levels at or above the jurisdiction (they are not in the cascader)
  return uniq.filter((c) => regionPrefixOf(c).length > jurisdiction.length);
}

/**
 * Region cascader restricted to the user's jurisdiction (regionPrefix). `prefixValue`: the value
 * is a code prefix (filters: '33', '3301', '330106'); otherwise a 6-digit code (forms).
 */
export function RegionCascader(props: {
  value?: string;
  onChange?: (v: string | undefined) => void;
  placeholder?: string;
  prefixValue?: boolean;
  style?: React.CSSProperties;
  'data-testid'?: string;
  status?: 'error' | 'warning' | '';
}) {
  const { user } = useApp();
  const jurisdiction = user?.regionPrefix ?? '';
  const [options, setOptions] = useState<RegionOption[]>([]);
  const loadedPaths = useRef(new Set<string>());

  const childrenOf = async (prefix: string): Promise<RegionOption[]> => {
    if (prefix.length === 6) {
      const r = await api.get<Region>(`/api/reference/regions/${prefix}`);
      return [{ ...toOption(r), isLeaf: true }];
    }
    return (await api.regions({ parent: prefix })).map(toOption);
  };

  // root options, then the branches leading to the current value (so its labels show)
  useEffect(() => {
    let live = true;
    (async () => {
      const root = await childrenOf(jurisdiction);
      if (!live) return;
      setOptions(root);
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [jurisdiction]);

  useEffect(() => {
    if (!props.value || options.length === 0) return;
    const path = pathFor(props.value, jurisdiction);
    const key = path.join('/');
    if (loadedPaths.current.has(key)) return;
    loadedPaths.current.add(key);
    (async () => {
      let level = options;
      let changed = false;
      for (const code of path.slice(0, -1)) {
        const opt = level.find((o) => o.value === code);
        if (!opt || opt.isLeaf) break;
        if (!opt.children) {
          opt.children = await childrenOf(regionPrefixOf(code));
          changed = true;
        }
        level = opt.children;
      }
      if (changed) setOptions((o) => [...o]);
    })().catch(() => undefined);
  }, [props.value, options, jurisdiction]);

  const loadData = async (selected: RegionOption[]) => {
    const target = selected[selected.length - 1];
    if (target.children) return;
    target.loading = true;
    try {
      target.children = await childrenOf(regionPrefixOf(target.value));
      if (target.children.length === 0) target.isLeaf = true;
    } finally {
      target.loading = false;
      setOptions((o) => [...o]);
    }
  };

  const value = props.value ? pathFor(props.value, jurisdiction) : undefined;
  return (
    <Cascader<RegionOption>
      data-testid={props['data-testid']}
      style={props.style}
      status={props.status}
      options={options}
      loadData={loadData}
      changeOnSelect
      allowClear
      placeholder={props.placeholder}
      value={value && value.length ? value : undefined}
      onChange={(v) => {
        const last = Array.isArray(v) && v.length ? String(v[v.length - 1]) : undefined;
        props.onChange?.(last === undefined ? undefined : props.prefixValue ? regionPrefixOf(last) : last);
      }}
    />
  );
}

/** Industry search select ("code name"); `classOnly` for forms (4-digit 小类). */
export function IndustrySelect(props: {
  value?: string;
  onChange?: (v: string | undefined) => void;
  placeholder?: string;
  classOnly?: boolean;
  style?: React.CSSProperties;
  'data-testid'?: string;
  status?: 'error' | 'warning' | '';
}) {
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const lastQuery = useRef('');

  const search = async (q: string) => {
    lastQuery.current = q;
    const n = ++seq.current;
    setLoading(true);
    try {
      const list = await api.industries({ q: q.trim() || undefined, level: props.classOnly || !q.trim() ? 'class' : undefined });
      if (n !== seq.current) return;
      setOptions(
        list
          .filter((i: Industry) => /^\d+$/.test(i.code))
          .slice(0, 100)
          .map((i) => ({ value: i.code, label: `${i.code} ${i.name}` })),
      );
    } catch {
      /* shown as no options */
    } finally {
      if (n === seq.current) setLoading(false);
    }
  };

  // the label of the current value
  useEffect(() => {
    if (!props.value || options.some((o) => o.value === props.value)) return;
    api
      .get<Industry>(`/api/reference/industries/${props.value}`)
      .then((i) => setOptions((o) => (o.some((x) => x.value === i.code) ? o : [{ value: i.code, label: `${i.code} ${i.name}` }, ...o])))
      .catch(() => undefined);
  }, [props.value]);

  return (
    <Select
      data-testid={props['data-testid']}
      style={props.style}
      status={props.status}
      allowClear
      loading={loading}
      placeholder={props.placeholder}
      value={props.value || undefined}
      options={options}
      showSearch={{ filterOption: false, onSearch: (q) => void search(q) }}
      onOpenChange={(open) => {
        // re-run the current search (an open event can come after typing started)
        if (open) void search(lastQuery.current);
        else lastQuery.current = '';
      }}
      onChange={(v) => props.onChange?.(v ?? undefined)}
      notFoundContent={null}
    />
  );
}
