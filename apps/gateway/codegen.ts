// GraphQL Code Generator configuration: resolver types for src/schema.graphql, with parents
// mapped onto the engine's and HubSpot's own shapes (src/models.ts). Run `npm run codegen`;
// CI runs `npm run codegen-check`, which fails naming the file when the committed output drifts.
import type { CodegenConfig } from '@graphql-codegen/cli';

export const SCHEMA_FILE = 'src/schema.graphql';
export const RESOLVER_TYPES_FILE = 'src/generated/resolvers-types.ts';

const config: CodegenConfig = {
  schema: SCHEMA_FILE,
  emitLegacyCommonJSImports: false,
  generates: {
    [RESOLVER_TYPES_FILE]: {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        contextType: '../context.js#GatewayContext',
        scalars: {
          DateTime: { input: 'string', output: 'string' },
          JSON: { input: 'unknown', output: 'unknown' },
          ID: { input: 'string', output: 'string' },
        },
        mappers: {
          Campaign: '../models.js#CampaignModel',
          UpdateCampaignsPayload: '../models.js#UpdateCampaignsPayloadModel',
          CampaignsPayload: '../models.js#CampaignsPayloadModel',
          CampaignBatchError: '../models.js#CampaignBatchErrorModel',
          ErrorDetail: '../models.js#ErrorDetailModel',
          BusinessUnit: '../models.js#BusinessUnitModel',
          CampaignProperty: '../models.js#CampaignPropertyModel',
          CoalescedId: '../models.js#CoalescedIdModel',
          CampaignUpdateJob: '../models.js#CampaignUpdateJobModel',
          CampaignConnection: '../models.js#CampaignConnectionModel',
          CampaignBatchErrorPage: '../models.js#CampaignBatchErrorPageModel',
          CampaignEdge: '../models.js#CampaignEdgeModel',
        },
      },
    },
  },
};

export default config;
