import { useEffect, useRef } from "preact/hooks";

/** A bar chart; chart.js is loaded on first use (./chart). `described` is what a screen reader
 * hears after the title: the figures as text. */
export function BarChart({ title, labels, values, described }: { title: string; labels: string[]; values: number[]; described: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let live = true;
    import("./chart").then(({ bar }) => {
      if (live && ref.current) chart = bar(ref.current, labels, values, title);
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [title, JSON.stringify(labels), JSON.stringify(values)]);
  return (
    <div class="chart">
      <canvas ref={ref} role="img" aria-label={`${title}: ${described}`} />
    </div>
  );
}
