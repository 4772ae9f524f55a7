// Outputs of one run that publish together because they share one resource — the SQLite
// transaction of a database file (SQLite has one writer), the spool of a OneRoster bundle. Each
// output joins the group of its key; the last one to commit publishes for all ('deferred' for the
// others, as the runtime expects), and an abort by any undoes the group for all. A group can also be
// kept for approval as a whole (a held run): the first member to hold keeps it for all.
export interface GroupMember<R> {
  resource: R;
  commit(): Promise<void | 'deferred'>;
  abort(): Promise<void>;
  /**
   * Keeps the group's resource for later with `keep`, run once for the whole group by the first
   * member that holds (every member gets its answer); the group is then undone (abort) here.
   */
  hold<T>(keep: (resource: R) => Promise<T>): Promise<T>;
}

interface Group<R> {
  resource: R;
  members: number;
  done: boolean;
  kept?: Promise<unknown>;
}

export class CommitGroups<R> {
  private readonly groups = new Map<string, Group<R>>();

  constructor(
    /** Publishes (commit) or undoes (abort) a group's resource, once. */
    private readonly finish: (resource: R, commit: boolean) => Promise<void> | void,
    /** What a member's commit says when another member of its group already failed. */
    private readonly failedMessage: string,
  ) {}

  join(key: string, open: () => R): GroupMember<R> {
    let g = this.groups.get(key);
    if (!g || g.done) {
      g = { resource: open(), members: 0, done: false };
      this.groups.set(key, g);
    }
    g.members++;
    const group = g;
    const close = async (commit: boolean) => {
      group.done = true;
      if (this.groups.get(key) === group) this.groups.delete(key);
      await this.finish(group.resource, commit);
    };
    return {
      resource: group.resource,
      commit: async () => {
        if (group.done) throw new Error(this.failedMessage);
        if (--group.members > 0) return 'deferred';
        await close(true);
      },
      abort: async () => {
        if (!group.done) await close(false);
      },
      hold: <T>(keep: (resource: R) => Promise<T>): Promise<T> => {
        group.kept ??= (async () => {
          if (group.done) throw new Error(this.failedMessage);
          try {
            return await keep(group.resource);
          } finally {
            await close(false);
          }
        })();
        return group.kept as Promise<T>;
      },
    };
  }
}
