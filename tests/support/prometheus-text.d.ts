// parse-prometheus-text-format ships no types: what its parser returns (prom2json's shape).
declare module "parse-prometheus-text-format" {
  type Labels = Record<string, string>;
  export type ParsedMetricFamily = {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: Array<{ value?: string; labels?: Labels; buckets?: Record<string, string>; count?: string; sum?: string }>;
  };
  export default function parsePrometheusTextFormat(text: string): ParsedMetricFamily[];
}
