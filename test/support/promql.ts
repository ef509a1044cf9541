/** What a PromQL expression refers to: metric names, and label names (matchers, grouping, legends). */
export interface PromqlReferences {
  readonly metrics: Set<string>;
  readonly labels: Set<string>;
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'atan2']);

/**
 * A small reader of the PromQL our dashboards and rules use: it drops strings, `[ranges]` and
 * `$variables`, takes label names from `{matchers}` and grouping clauses, and calls every other
 * identifier not followed by `(` a metric name. Not a parser; enough to catch a renamed metric.
 */
export function promqlReferences(expr: string): PromqlReferences {
  const metrics = new Set<string>();
  const labels = new Set<string>();
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  rest = rest.replace(/\{([^}]*)\}/g, (_, inside: string) => {
    for (const m of inside.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) labels.add(m[1]!);
    return ' ';
  });
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, inside: string) => {
    for (const label of inside.split(',').map((l) => l.trim()).filter(Boolean)) labels.add(label);
    return ' ';
  });
  rest = rest.replace(/\[[^\]]*\]/g, ' ').replace(/\$\w+/g, ' ');
  for (const m of rest.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (m[2] || KEYWORDS.has(m[1]!.toLowerCase())) continue;
    metrics.add(m[1]!);
  }
  return { metrics, labels };
}

/** The label names a Grafana legend or an alert template interpolates: `{{route}}`, `{{ $labels.check }}`. */
export function templateLabels(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(?:\$labels\.)?([a-zA-Z_]\w*)\s*\}\}/g)].map((m) => m[1]!);
}
