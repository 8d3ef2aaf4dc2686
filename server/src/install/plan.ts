/** The vocabulary shared by the install pieces: what each found, and the file changes it wants. */

export type PieceState =
  /** In place, as this version writes it. */
  | 'installed'
  /** Not there: install adds it. */
  | 'missing'
  /** There, from another version or incomplete: install rewrites it. */
  | 'outdated'
  /** Not needed: mailcow already does it. */
  | 'satisfied'
  /** Not there and nothing to remove (uninstall). */
  | 'absent'
  /**
   * A patch hunk left out: mailcow's code at its hook point is not what the patch expects (or
   * our block there is damaged). The rest is installed; `impact` says what this one disables.
   */
  | 'drifted'
  /** Cannot be changed safely: install (or uninstall) writes nothing at all, the reason in `detail`. */
  | 'refused'
  /** Nothing to change, but something the admin should know (in `detail`), e.g. no git checkout. */
  | 'warning';

export interface PieceReport {
  /** patch, nginx, nginx-upstream, hook, bridge, vars.local, compose, git-exclude */
  piece: string;
  /** The file (and hunk id for patches). */
  item: string;
  state: PieceState;
  detail: string;
  /** Patch hunks: what an admin loses while this hunk is not in place. */
  impact?: string;
}

export type FileOp =
  | { kind: 'write'; path: string; content: string | Buffer; mode?: number; backup: boolean }
  | { kind: 'delete'; path: string; backup: boolean }
  /** Removes a directory tree that belongs to mailcow-scim entirely. */
  | { kind: 'remove-tree'; path: string };

export interface PiecePlan {
  reports: PieceReport[];
  ops: FileOp[];
  /** Files this plan creates (recorded so that uninstall deletes only what install created). */
  created: string[];
}

export function emptyPlan(): PiecePlan {
  return { reports: [], ops: [], created: [] };
}

/** States that need no change. */
export function isSettled(state: PieceState): boolean {
  return state === 'installed' || state === 'satisfied' || state === 'absent' || state === 'warning';
}
