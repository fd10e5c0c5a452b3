// Custom LSP messages between the extension and the language server. This file imports
// nothing from the engine, so the extension can use it without pulling the engine in.

export const EXPLORE_REQUEST = 'lockstep/explore';

export type ExploreStrategyName = 'exhaustive' | 'bounded' | 'pct' | 'random';

export interface ExploreParams {
  /** the scenario document (file: URI); its unsaved text and other open files are used */
  uri: string;
  /** the search (default exhaustive: every interleaving, up to the time limit) */
  strategy?: ExploreStrategyName;
  /** random and pct: how many runs */
  schedules?: number;
  timeLimitMs?: number;
  /** work-done progress token created by the client (window/workDoneProgress/create) */
  workDoneToken?: string | number;
}

export interface ExploreFinding {
  kind: string;
  message: string;
  schedule: string;
  step: number;
  cpu: number;
  context: string;
  location: { file: string; line: number; column: number };
}

export interface ExploreResponse {
  scenario: string;
  findings: ExploreFinding[];
  expectations: { text: string; met: boolean }[];
  ok: boolean;
  search: { strategy: string; schedules: number; states?: number; complete: boolean; seconds: number; limit?: string };
  /** the scenario did not load: its errors, file:line:column: message */
  errors: string[];
  cancelled: boolean;
}
