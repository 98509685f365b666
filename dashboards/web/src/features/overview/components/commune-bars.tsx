import { Bar, BarChart, Cell, LabelList, ResponsiveContainer, XAxis, YAxis } from 'recharts'
import { useLang } from '../../../i18n.ts'
import type { ColourScale } from '../commune-colours.ts'

export interface CommuneBar {
  unit: string
  name: string
  value: number | null
}

/**
 * Communes as horizontal bars, best first: each name whole on its own line (vertical bars had to
 * tilt and overlap them on a phone), its value written at the bar's end, in the map's colours.
 */
export function CommuneBars({ bars, scale, height, nameWidth = 130, onCommune }: { bars: CommuneBar[]; scale: ColourScale; height: number | '100%'; nameWidth?: number; onCommune?: (unit: string, name: string) => void }) {
  const { fmt } = useLang()
  return (
    <div className="commune-bars" data-testid="commune-bars" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={bars} layout="vertical" margin={{ top: 4, right: 56, bottom: 4, left: 4 }}>
          <XAxis type="number" hide domain={[0, 'dataMax']} />
          <YAxis type="category" dataKey="name" width={nameWidth} interval={0} tickLine={false} />
          <Bar dataKey="value" isAnimationActive={false} onClick={(b: { payload?: CommuneBar }) => b.payload && onCommune?.(b.payload.unit, b.payload.name)}>
            {bars.map((b) => (
              <Cell key={b.unit} fill={scale.colourOf(b.value)} data-unit={b.unit} cursor={onCommune ? 'pointer' : undefined} />
            ))}
            <LabelList dataKey="value" position="right" formatter={(v: unknown) => fmt.number(v)} className="bar-value" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
