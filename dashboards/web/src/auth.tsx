import { createContext, useContext } from 'react'
import type { Account } from './api.ts'

export const AuthContext = createContext<{ account: Account | null; signIn: (token: string) => Promise<void>; signOut: () => void }>({
  account: null,
  signIn: async () => undefined,
  signOut: () => undefined,
})

export const useAuth = () => useContext(AuthContext)

export type Page = 'overview' | 'explorer' | 'portal' | 'sharing' | 'quality' | 'briefings' | 'catalog' | 'alerts' | 'admin'

/** Which pages each role sees in the navigation (the API enforces access regardless). */
export const PAGES_BY_ROLE: Record<Account['role'], Page[]> = {
  leader: ['overview', 'explorer', 'quality', 'briefings', 'catalog', 'alerts'],
  analyst: ['overview', 'explorer', 'quality', 'briefings', 'catalog'],
  agency_officer: ['portal', 'sharing', 'explorer', 'catalog', 'alerts'],
  steward: ['overview', 'explorer', 'portal', 'sharing', 'quality', 'briefings', 'catalog', 'alerts', 'admin'],
  admin: ['overview', 'explorer', 'portal', 'sharing', 'quality', 'briefings', 'catalog', 'alerts', 'admin'],
}

export const PATHS: Record<Page, string> = {
  overview: '/',
  explorer: '/explorer',
  portal: '/portal',
  sharing: '/sharing',
  quality: '/quality',
  briefings: '/briefings',
  catalog: '/catalog',
  alerts: '/alerts',
  admin: '/admin',
}
