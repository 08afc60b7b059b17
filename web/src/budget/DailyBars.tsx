// A small bar chart of values per day (inline SVG: no chart library for a few dozen bars). Each bar
// may stack several series; the table under it says the same for screen readers.
import type { DailyUsage } from "./queries";

export interface Series {
  key: keyof Omit<DailyUsage, "day">;
  label: string;
  className: string;
}

const WIDTH = 600;
const HEIGHT = 120;

export function DailyBars({ days, series, title }: { days: DailyUsage[]; series: Series[]; title: string }) {
  const total = (d: DailyUsage) => series.reduce((sum, s) => sum + d[s.key], 0);
  const max = Math.max(1, ...days.map(total));
  const slot = WIDTH / Math.max(1, days.length);
  const bar = Math.max(2, slot * 0.7);
  return (
    <figure className="daily-bars">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} preserveAspectRatio="none">
        {days.map((d, i) => {
          let y = HEIGHT;
          return (
            <g key={d.day}>
              <title>{`${d.day}: ${series.map((s) => `${d[s.key]} ${s.label.toLowerCase()}`).join(", ")}`}</title>
              {series.map((s) => {
                const h = (d[s.key] / max) * (HEIGHT - 4);
                y -= h;
                return h > 0 ? <rect key={s.key} className={s.className} x={i * slot + (slot - bar) / 2} y={y} width={bar} height={h} /> : null;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small">
        {title}: {days[0]?.day} to {days.at(-1)?.day} (UTC), highest {max}.{" "}
        {series.length > 1 ? series.map((s) => <span key={s.key} className={`legend ${s.className}`}>{s.label}</span>) : null}
      </figcaption>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {series.map((s) => (
              <th key={s.key} scope="col">{s.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day}>
              <th scope="row">{d.day}</th>
              {series.map((s) => (
                <td key={s.key}>{d[s.key]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
