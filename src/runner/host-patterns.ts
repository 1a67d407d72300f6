// Which hosts of an inventory an Ansible host pattern selects, without starting Ansible (which
// takes a second): names and groups, `*` wildcards, unions (`:` or `,`), `:&` intersections and
// `:!` exclusions, as Ansible applies them (all unions, then intersections, then exclusions).
import type { Inventory } from './inventory.ts';

/** The hosts of each group, its child groups' hosts included. */
export function groupHosts(inventory: Inventory): Map<string, Set<string>> {
  const resolved = new Map<string, Set<string>>();
  const resolve = (name: string, seen: Set<string>): Set<string> => {
    const done = resolved.get(name);
    if (done) return done;
    const group = inventory.groups[name];
    const hosts = new Set(group?.hosts ?? []);
    for (const child of group?.children ?? []) if (!seen.has(child)) for (const host of resolve(child, new Set([...seen, child]))) hosts.add(host);
    resolved.set(name, hosts);
    return hosts;
  };
  for (const name of Object.keys(inventory.groups)) resolve(name, new Set([name]));
  return resolved;
}

/** The hosts `pattern` selects (every host when it is absent). */
export function selectHosts(inventory: Inventory, pattern: string | undefined): Set<string> {
  const allHosts = Object.keys(inventory.hosts);
  if (!pattern) return new Set(allHosts);
  const groups = groupHosts(inventory);
  const match = (term: string): Set<string> => {
    if (term === 'all' || term === '*') return new Set(allHosts);
    if (term.includes('*')) {
      const re = new RegExp(`^${term.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      const hosts = new Set(allHosts.filter((host) => re.test(host)));
      for (const [name, members] of groups) if (re.test(name)) for (const host of members) hosts.add(host);
      return hosts;
    }
    return new Set(groups.get(term) ?? (inventory.hosts[term] !== undefined ? [term] : []));
  };
  // ":" separates terms unless the pattern holds "," (IPv6 addresses contain ":").
  const terms = (pattern.includes(',') ? pattern.split(',') : pattern.split(':')).map((term) => term.trim()).filter(Boolean);
  const selected = new Set<string>();
  for (const term of terms.filter((t) => !t.startsWith('&') && !t.startsWith('!'))) for (const host of match(term)) selected.add(host);
  for (const term of terms.filter((t) => t.startsWith('&'))) {
    const keep = match(term.slice(1));
    for (const host of selected) if (!keep.has(host)) selected.delete(host);
  }
  for (const term of terms.filter((t) => t.startsWith('!'))) for (const host of match(term.slice(1))) selected.delete(host);
  return selected;
}
