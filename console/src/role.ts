import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Role = 'ADMIN' | 'OPERATOR' | 'VIEWER' | 'PARTNER';

export const RoleContext = createContext<Role>('VIEWER');

/** Whether the signed-in key may act (provision, cancel, retry, add inventory); viewers only look. */
export function useCanAct(): boolean {
  const role = useContext(RoleContext);
  return role === 'ADMIN' || role === 'OPERATOR';
}
