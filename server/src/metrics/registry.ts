/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/). Enough
 * for the sidecar's own metrics without a dependency; label sets stay small because every label
 * value comes from a closed list (operations, status codes), never from request data.
 */

export type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function renderLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',')}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

interface Metric {
  readonly name: string;
  render(): string[];
}

abstract class LabelledMetric<T> implements Metric {
  protected readonly series = new Map<string, { labels: Labels; value: T }>();
  constructor(
    readonly name: string,
    protected readonly help: string,
    protected readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}

  protected entry(labels: Labels, init: () => T): { labels: Labels; value: T } {
    const k = keyOf(labels);
    let e = this.series.get(k);
    if (!e) {
      e = { labels: { ...labels }, value: init() };
      this.series.set(k, e);
    }
    return e;
  }

  /**
   * The series of `labels`, made on first use and then kept: for a caller that updates the same
   * series on every request, which then builds no key per update. Nothing is shown before the
   * first update, as with entry().
   */
  protected lazyEntry(labels: Labels, init: () => T): () => { labels: Labels; value: T } {
    let e: { labels: Labels; value: T } | undefined;
    return () => {
      e ??= this.entry(labels, init);
      return e;
    };
  }

  protected header(): string[] {
    return [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} ${this.type}`];
  }

  abstract render(): string[];
}

export class Counter extends LabelledMetric<number> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels, () => 0).value += by;
  }
  /** inc() on one series, its key built once (lazyEntry). */
  bound(labels: Labels): (by?: number) => void {
    const series = this.lazyEntry(labels, () => 0);
    return (by = 1) => {
      series().value += by;
    };
  }
  get(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.value ?? 0;
  }
  render(): string[] {
    return [...this.header(), ...[...this.series.values()].map((s) => `${this.name}${renderLabels(s.labels)} ${formatValue(s.value)}`)];
  }
}

/** A gauge whose values are read at scrape time from a callback (or set directly). */
export class Gauge extends LabelledMetric<number> {
  constructor(
    name: string,
    help: string,
    private readonly collect?: () => { labels?: Labels; value: number }[],
  ) {
    super(name, help, 'gauge');
  }
  set(labels: Labels, value: number): void {
    this.entry(labels, () => 0).value = value;
  }
  render(): string[] {
    if (this.collect) {
      this.series.clear();
      for (const s of this.collect()) this.set(s.labels ?? {}, s.value);
    }
    return [...this.header(), ...[...this.series.values()].map((s) => `${this.name}${renderLabels(s.labels)} ${formatValue(s.value)}`)];
  }
}

interface HistogramValue {
  buckets: number[];
  sum: number;
  count: number;
}

export class Histogram extends LabelledMetric<HistogramValue> {
  constructor(
    name: string,
    help: string,
    private readonly bounds: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(labels: Labels, value: number): void {
    this.add(this.entry(labels, () => this.empty()).value, value);
  }
  /** observe() on one series, its key built once (lazyEntry). */
  bound(labels: Labels): (value: number) => void {
    const series = this.lazyEntry(labels, () => this.empty());
    return (value) => this.add(series().value, value);
  }
  private empty(): HistogramValue {
    return { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
  }
  private add(h: HistogramValue, value: number): void {
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) h.buckets[i]! += 1;
    h.sum += value;
    h.count += 1;
  }
  render(): string[] {
    const lines = this.header();
    for (const s of this.series.values()) {
      this.bounds.forEach((b, i) => lines.push(`${this.name}_bucket${renderLabels({ ...s.labels, le: formatValue(b) })} ${s.value.buckets[i]}`));
      lines.push(`${this.name}_bucket${renderLabels({ ...s.labels, le: '+Inf' })} ${s.value.count}`);
      lines.push(`${this.name}_sum${renderLabels(s.labels)} ${formatValue(s.value.sum)}`);
      lines.push(`${this.name}_count${renderLabels(s.labels)} ${s.value.count}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.push(metric);
    return metric;
  }

  /** The text exposition format, one block per metric. */
  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
