// `export --gateway URL`: the pages come from the gateway's campaignList (CampaignExportPage of
// @campaigns/graphql, which asks for exactly the properties exported) instead of from HubSpot;
// the gateway paces them with its own rate budget and retries them. Everything else (formats,
// the output, the summary) is export.ts's.
import { CampaignExportPageDocument } from '@campaigns/graphql';
import type { ExportOptions, ExportPage, PageSource } from './export.js';
import { PageFailedError } from './export.js';
import { checkCampaignPage, GatewayError, openGateway } from './gateway.js';
import { StoppedError, UsageError, type CliIo } from './io.js';

export async function gatewayPages(options: ExportOptions, io: CliIo): Promise<PageSource> {
  const gateway = await openGateway(options, io);
  return {
    target: gateway.target,
    async page(query): Promise<ExportPage> {
      if (io.signal.aborted) throw new StoppedError('interrupted');
      let answer: Awaited<ReturnType<typeof readPage>>;
      try {
        answer = await readPage(query);
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        if (error.failure === 'auth' || error.failure === 'unreachable')
          throw new StoppedError(error.message);
        // A refused filter or property name: the gateway's message says which.
        if (error.failure === 'input')
          throw new UsageError(`${gateway.target} refused the export: ${error.message}`);
        throw new PageFailedError(error.message);
      }
      const list = answer.campaignList as unknown;
      const total = (list as { totalCount?: unknown } | null)?.totalCount;
      const page = checkCampaignPage(list, 'a page of campaignList');
      const nextAfter = page.hasNextPage && page.endCursor ? page.endCursor : undefined;
      return {
        results: page.campaigns,
        total: typeof total === 'number' && total >= 0 ? total : page.campaigns.length,
        nextAfter,
      };
    },
    close: async () => undefined,
  };

  function readPage(query: Parameters<PageSource['page']>[0]) {
    return gateway.request(CampaignExportPageDocument, {
      first: query.limit ?? null,
      after: query.after ?? null,
      name: query.name ?? null,
      properties: query.properties ? [...query.properties] : null,
    });
  }
}
