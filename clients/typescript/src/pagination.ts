/**
 * Lists page with opaque tokens: `{"data": [...], "next_page_token": "..."}`, the next page
 * asked for with `page_token`, and no token on the last page.
 */

export interface Page<T> {
  data: T[];
  next_page_token?: string | null;
  total_size?: number | null;
}

/** Fetches one page: the first when `pageToken` is undefined. */
export type PageFetcher<T, P extends Page<T> = Page<T>> = (pageToken: string | undefined) => Promise<P>;

/**
 * Every item of a list, page after page, fetched as iterated:
 *
 *     for await (const run of kanri.list("/v1/runs")) { … }
 *     for await (const page of kanri.list("/v1/runs").pages()) { … }
 */
export class Paginator<T, P extends Page<T> = Page<T>> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: PageFetcher<T, P>) {}

  /** The pages, one request each. */
  async *pages(): AsyncGenerator<P, void, undefined> {
    let token: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.fetchPage(token);
      yield page;
      token = page.next_page_token ?? undefined;
      if (token !== undefined) {
        if (seen.has(token)) throw new Error(`the list answered the page token ${token} twice`);
        seen.add(token);
      }
    } while (token);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) {
      yield* page.data;
    }
  }

  /** The items in one array (at most `limit` of them, fetching no page beyond). */
  async toArray(limit = Number.POSITIVE_INFINITY): Promise<T[]> {
    const items: T[] = [];
    if (limit <= 0) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= limit) break;
    }
    return items;
  }
}

/** A Paginator over any page function, such as a POST query that takes `page_token` in its body. */
export function paginate<P extends Page<unknown>>(
  fetchPage: (pageToken: string | undefined) => Promise<P>,
): Paginator<P["data"][number], P> {
  return new Paginator<P["data"][number], P>(fetchPage as PageFetcher<P["data"][number], P>);
}
