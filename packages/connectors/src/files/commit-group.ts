// Outputs of one run that publish together because they share one resource — the SQLite
// transaction of a database file (SQLite has one writer), the spool of a OneRoster bundle. Each
// output joins the group of its key; the last one to commit publishes for all ('deferred' for the
// others, as the runtime expects), and an abort by any undoes the group for all.
export interface GroupMember<R> {
  resource: R;
  commit(): Promise<void | 'deferred'>;
  abort(): Promise<void>;
}

interface Group<R> {
  resource: R;
  members: number;
  done: boolean;
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
    };
  }
}
