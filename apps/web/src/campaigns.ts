// Finding campaigns: one page of the list, and every id matching a search (for "select all
// matching"), read page by page and bounded by what one job may take.
import { CampaignListDocument, type CampaignListQuery } from '@campaigns/graphql';
import type { Gateway } from './api';

export interface CampaignRow {
  id: string;
  name: string;
  status: string;
  notes: string;
}

export interface CampaignPage {
  rows: CampaignRow[];
  /** How many campaigns match in all, when HubSpot says. */
  total: number | undefined;
  endCursor: string | undefined;
  hasNextPage: boolean;
}

/** The largest page the gateway's campaignList serves (HubSpot's). */
export const MAX_LIST_PAGE = 100;

type Node = CampaignListQuery['campaignList']['edges'][number]['node'];

function property(node: Node, name: string): string {
  return node.properties.find((p) => p.name === name)?.value ?? '';
}

export function toRow(node: Node): CampaignRow {
  return {
    id: node.id,
    name: property(node, 'hs_name'),
    status: property(node, 'hs_campaign_status'),
    notes: property(node, 'hs_notes'),
  };
}

export async function listCampaigns(
  gateway: Gateway,
  options: { name: string; first: number; after?: string | undefined; signal?: AbortSignal },
): Promise<CampaignPage> {
  const { campaignList } = await gateway.request(
    CampaignListDocument,
    {
      first: options.first,
      after: options.after ?? null,
      name: options.name || null,
      sort: 'NAME',
    },
    options.signal,
  );
  return {
    rows: campaignList.edges.map((edge) => toRow(edge.node)),
    total: campaignList.totalCount ?? undefined,
    endCursor: campaignList.pageInfo.endCursor ?? undefined,
    hasNextPage: campaignList.pageInfo.hasNextPage,
  };
}

export interface MatchingProgress {
  /** Campaigns collected so far. */
  found: number;
  /** How many match in all, when known. */
  total: number | undefined;
}

export interface Matching {
  rows: CampaignRow[];
  /** True when more campaigns match than `cap`: only the first `cap` were collected. */
  capped: boolean;
}

/**
 * Every campaign whose name contains `name`, page after page, stopping at `cap` (a job's
 * maximum). Calls `onProgress` after each page; `signal` stops it between pages.
 */
export async function collectMatching(
  gateway: Gateway,
  options: {
    name: string;
    cap: number;
    signal?: AbortSignal;
    onProgress?: (progress: MatchingProgress) => void;
  },
): Promise<Matching> {
  const rows: CampaignRow[] = [];
  const seen = new Set<string>();
  let after: string | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const page = await listCampaigns(gateway, {
      name: options.name,
      first: MAX_LIST_PAGE,
      after,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let leftOver = false;
    for (const row of page.rows) {
      if (seen.has(row.id)) continue;
      if (rows.length === options.cap) {
        leftOver = true;
        break;
      }
      seen.add(row.id);
      rows.push(row);
    }
    options.onProgress?.({ found: rows.length, total: page.total });
    const more = page.hasNextPage && page.endCursor !== undefined;
    // At the cap no further page is read: ceil(cap / MAX_LIST_PAGE) list calls at most.
    if (rows.length === options.cap)
      return {
        rows,
        capped: leftOver || (page.total !== undefined ? page.total > rows.length : more),
      };
    if (!more) return { rows, capped: false };
    after = page.endCursor;
  }
}
