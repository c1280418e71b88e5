/**
 * A progress bar for assistive technology and eyes: role="progressbar" with its values, and the
 * same numbers in text. The fill's width is set through the CSSOM (no style attribute in the
 * markup, which the CSP would refuse).
 */
import { formatDuration } from '../format.ts';

export function Progress({
  label,
  done,
  total,
  etaSeconds,
}: {
  label: string;
  done: number;
  total: number;
  etaSeconds: number | null;
}) {
  const max = Math.max(total, done, 1);
  const pct = Math.min(100, Math.round((done / max) * 100));
  const text = `${done.toLocaleString()} of ${total.toLocaleString()}${
    etaSeconds === null ? '' : `, about ${formatDuration(etaSeconds)} left`
  }`;
  return (
    <div class="progress-wrap">
      <div
        class="progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={done}
        aria-valuetext={text}
      >
        <span class="progress-fill" style={{ width: `${String(pct)}%` }} />
      </div>
      <p class="hint">{text}</p>
    </div>
  );
}
