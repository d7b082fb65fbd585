import { createContext, useContext } from 'react';
import type { UserInfo } from '@wxh5/contracts';

export const SessionContext = createContext<UserInfo | null>(null);

/** The signed-in user; only inside `<SessionGate>`, which renders its children once there is one. */
export function useUser(): UserInfo {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useUser needs a <SessionGate> above it');
  return user;
}
