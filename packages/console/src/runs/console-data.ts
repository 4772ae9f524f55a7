// What the pages show, read from each district's history store (and its scheduler, when one runs
// beside the console): nothing is cached, so a page always says what the store says.
import type { RunRecord } from '@sisflow/service';
import type { ConsoleDistrict } from '../console-options.js';

export interface IntegrationView {
  spec: string;
  schedule?: string;
  next?: string;
  /** Newest first. */
  runs: RunRecord[];
  canRunNow: boolean;
}

export interface DistrictView {
  slug: string;
  name: string;
  integrations: IntegrationView[];
  /** The newest runs of every spec, newest first. */
  recent: RunRecord[];
}

/** Runs per spec for the trend; runs listed for the overview. */
export const TREND_RUNS = 20;
const RECENT_RUNS = 500;

/** A district's place in URLs: its position among the served districts, from 1. */
export function districtSlug(index: number): string {
  return String(index + 1);
}

export function districtOf(districts: ConsoleDistrict[], slug: string): ConsoleDistrict | undefined {
  return /^[1-9]\d{0,3}$/.test(slug) ? districts[Number(slug) - 1] : undefined;
}

export async function districtView(d: ConsoleDistrict, slug: string): Promise<DistrictView> {
  const recent = await d.store.list({ limit: RECENT_RUNS });
  const scheduled = (await d.schedule?.describe()) ?? [];
  const names = [...new Set([...scheduled.map((s) => s.spec), ...recent.map((r) => r.spec)])].sort();
  const integrations = await Promise.all(
    names.map(async (spec): Promise<IntegrationView> => {
      const s = scheduled.find((x) => x.spec === spec);
      return {
        spec,
        ...(s?.schedule ? { schedule: s.schedule } : {}),
        ...(s?.next ? { next: s.next } : {}),
        runs: await d.store.list({ spec, limit: TREND_RUNS }),
        canRunNow: !!s && !!d.schedule?.runNow,
      };
    }),
  );
  return { slug, name: d.name, integrations, recent };
}
