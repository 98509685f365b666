import { createContext, useContext } from 'react'
import type { SignedIn } from '../../../infra/contracts/session.ts'

export const AuthContext = createContext<{ account: SignedIn | null; signIn: (token: string) => Promise<void>; signOut: () => void }>({
  account: null,
  signIn: async () => undefined,
  signOut: () => undefined,
})

export const useAuth = () => useContext(AuthContext)

export type Page = 'overview' | 'explorer' | 'portal' | 'sharing' | 'quality' | 'briefings' | 'catalog' | 'reports' | 'alerts' | 'admin'

/** Which pages each role sees in the navigation (the API enforces access regardless). */
export const PAGES_BY_ROLE: Record<SignedIn['role'], Page[]> = {
  leader: ['overview', 'explorer', 'quality', 'briefings', 'catalog', 'reports', 'alerts'],
  analyst: ['overview', 'explorer', 'quality', 'briefings', 'catalog', 'reports'],
  agency_officer: ['portal', 'sharing', 'explorer', 'catalog', 'reports', 'alerts'],
  steward: ['overview', 'explorer', 'portal', 'sharing', 'quality', 'briefings', 'catalog', 'reports', 'alerts', 'admin'],
  admin: ['overview', 'explorer', 'portal', 'sharing', 'quality', 'briefings', 'catalog', 'reports', 'alerts', 'admin'],
}

export const PATHS: Record<Page, string> = {
  overview: '/',
  explorer: '/explorer',
  portal: '/portal',
  sharing: '/sharing',
  quality: '/quality',
  briefings: '/briefings',
  catalog: '/catalog',
  reports: '/reports',
  alerts: '/alerts',
  admin: '/admin',
}
