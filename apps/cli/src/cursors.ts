// The cursors a paged answer has given so far. A cursor given again (or the one a page was
// asked with) would page the same items forever: every paging loop of the command (an export's
// pages, a gateway job's results and error groups) stops on it instead.
export class PageCursors {
  readonly #seen = new Set<string>();

  /** Records the cursor of the next page; false when it was given before. */
  advance(cursor: string): boolean {
    if (this.#seen.has(cursor)) return false;
    this.#seen.add(cursor);
    return true;
  }
}
