/** One tab: its key, its words, and (optionally) how many things wait in it. */
export type Tab<K extends string> = { key: K; label: string; count?: number; testId?: string }

/** The pages' tabs: one row of buttons, the chosen one marked, a waiting count beside a label. */
export function Tabs<K extends string>({ tabs, value, onChange }: { tabs: Tab<K>[]; value: K; onChange: (k: K) => void }) {
  return (
    <div className="tabs" role="tablist">
      {tabs.map((tab) => (
        <button key={tab.key} type="button" role="tab" aria-selected={value === tab.key} onClick={() => onChange(tab.key)} data-testid={tab.testId}>
          {tab.label}
          {tab.count ? <span className="count">{tab.count.toLocaleString('vi-VN')}</span> : null}
        </button>
      ))}
    </div>
  )
}
