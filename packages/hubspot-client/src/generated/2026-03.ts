/**
 * Generated from openapi/2026-03/campaigns.yaml + overlay.yaml by tools/codegen (openapi-typescript).
 * Do not edit: change the spec and run `npm run codegen`.
 */

export interface paths {
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List campaigns
         * @description Returns a page of campaigns, optionally filtered by name and sorted.
         */
        get: operations["get-/marketing/campaigns/2026-03/"];
        put?: never;
        /**
         * Create a campaign
         * @description Creates one campaign and returns it with its new id.
         */
        post: operations["post-/marketing/campaigns/2026-03/"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{campaignGuid}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The campaign's id, a UUID. */
                campaignGuid: components["parameters"]["CampaignGuid"];
            };
            cookie?: never;
        };
        /**
         * Read a campaign
         * @description Returns one campaign with the requested properties and its assets. Asset metrics are included only when both `startDate` and `endDate` are given.
         */
        get: operations["get-/marketing/campaigns/2026-03/{campaignGuid}"];
        put?: never;
        post?: never;
        /**
         * Delete a campaign
         * @description Answers 204 whether or not the campaign existed.
         */
        delete: operations["delete-/marketing/campaigns/2026-03/{campaignGuid}"];
        options?: never;
        head?: never;
        /**
         * Update a campaign
         * @description Partial update: the given properties are overwritten, the others are left alone. An empty string resets a property. Read-only and unknown properties fail with 400.
         */
        patch: operations["patch-/marketing/campaigns/2026-03/{campaignGuid}"];
        trace?: never;
    };
    "/batch/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Read a batch of campaigns
         * @description Reads up to 50 campaigns with their assets. Duplicate ids are ignored. Results are not guaranteed to be in input order; unknown ids come back as `OBJECT_NOT_FOUND` errors in the 200 answer's `errors`.
         */
        post: operations["post-/marketing/campaigns/2026-03/batch/read"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batch/update": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Update a batch of campaigns
         * @description Updates up to 50 campaigns. An empty string (`""`) for a property resets it. Unknown ids come back as `OBJECT_NOT_FOUND` errors in the 200 answer's `errors`; an unknown, read-only or malformed property fails the whole request with 400 `VALIDATION_ERROR`. Results are not guaranteed to be in input order. The operation sets values, so repeating it is safe.
         */
        post: operations["post-/marketing/campaigns/2026-03/batch/update"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batch/create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a batch of campaigns
         * @description Creates up to 50 campaigns. Results are not guaranteed to be in input order.
         */
        post: operations["post-/marketing/campaigns/2026-03/batch/create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batch/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Delete a batch of campaigns
         * @description Deletes up to 50 campaigns. Always answers 204, whether or not the campaigns existed or were all deleted.
         */
        post: operations["post-/marketing/campaigns/2026-03/batch/archive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        PublicCampaignBatchUpdateItem: {
            /** @description The campaign's id (UUID). */
            id: string;
            /** @description Property name to new value; `""` resets the property. */
            properties: {
                [key: string]: string;
            };
        };
        BatchInputPublicCampaignBatchUpdateItem: {
            inputs: components["schemas"]["PublicCampaignBatchUpdateItem"][];
        };
        PublicCampaignReadInput: {
            id: string;
        };
        BatchInputPublicCampaignReadInput: {
            inputs: components["schemas"]["PublicCampaignReadInput"][];
        };
        PublicCampaignDeleteInput: {
            id: string;
        };
        BatchInputPublicCampaignDeleteInput: {
            inputs: components["schemas"]["PublicCampaignDeleteInput"][];
        };
        PublicCampaignInput: {
            properties: {
                [key: string]: string;
            };
        };
        BatchInputPublicCampaignInput: {
            inputs: components["schemas"]["PublicCampaignInput"][];
        };
        PublicBusinessUnit: {
            /**
             * Format: int32
             * @description Business unit id.
             */
            id: number;
        };
        PublicCampaign: {
            id: string;
            properties: {
                [key: string]: string;
            };
            businessUnits: components["schemas"]["PublicBusinessUnit"][];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        PublicCampaignAsset: {
            id: string;
            name?: string;
            metrics?: {
                [key: string]: number;
            };
        };
        CollectionResponsePublicCampaignAsset: {
            results: components["schemas"]["PublicCampaignAsset"][];
            paging?: components["schemas"]["Paging"];
        };
        PublicCampaignWithAssets: {
            id: string;
            properties: {
                [key: string]: string;
            };
            businessUnits: components["schemas"]["PublicBusinessUnit"][];
            /** @description Assets by asset type. */
            assets: {
                [key: string]: components["schemas"]["CollectionResponsePublicCampaignAsset"];
            };
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        BatchResponsePublicCampaign: {
            /** @enum {string} */
            status: "CANCELED" | "COMPLETE" | "PENDING" | "PROCESSING";
            results: components["schemas"]["PublicCampaign"][];
            /** @description Item errors (unknown ids and the like), folded into this answer. */
            errors?: components["schemas"]["StandardError"][];
            /** Format: int32 */
            numErrors?: number;
            /** Format: date-time */
            requestedAt?: string;
            /** Format: date-time */
            startedAt: string;
            /** Format: date-time */
            completedAt: string;
            links?: {
                [key: string]: string;
            };
        };
        BatchResponsePublicCampaignWithAssets: {
            /** @enum {string} */
            status: "CANCELED" | "COMPLETE" | "PENDING" | "PROCESSING";
            results: components["schemas"]["PublicCampaignWithAssets"][];
            /** @description Item errors (unknown ids and the like), folded into this answer. */
            errors?: components["schemas"]["StandardError"][];
            /** Format: int32 */
            numErrors?: number;
            /** Format: date-time */
            requestedAt?: string;
            /** Format: date-time */
            startedAt: string;
            /** Format: date-time */
            completedAt: string;
            links?: {
                [key: string]: string;
            };
        };
        /** @description One item-level error in a batch response; `context.ids` lists the inputs it covers. */
        StandardError: {
            status: string;
            id?: string;
            category: string;
            subCategory?: Record<string, never>;
            message: string;
            errors: components["schemas"]["ErrorDetail"][];
            context: {
                [key: string]: string[];
            };
            links: {
                [key: string]: string;
            };
        };
        ErrorDetail: {
            /** @description What went wrong and, where possible, how to fix it. */
            message: string;
            code?: string;
            /** @description The field or parameter at fault. */
            in?: string;
            subCategory?: string;
            context?: {
                [key: string]: string[];
            };
        };
        /** @description A whole-request failure (400, 401, 403, 404, 5xx). */
        Error: {
            /** @description For example VALIDATION_ERROR, INVALID_AUTHENTICATION, MISSING_SCOPES. */
            category: string;
            /** Format: uuid */
            correlationId: string;
            message: string;
            subCategory?: string;
            errors?: components["schemas"]["ErrorDetail"][];
            context?: {
                [key: string]: string[];
            };
            links?: {
                [key: string]: string;
            };
        };
        NextPage: {
            after: string;
            link?: string;
        };
        PreviousPage: {
            before: string;
            link?: string;
        };
        ForwardPaging: {
            next?: components["schemas"]["NextPage"];
        };
        Paging: {
            next?: components["schemas"]["NextPage"];
            prev?: components["schemas"]["PreviousPage"];
        };
        CollectionResponseWithTotalPublicCampaignForwardPaging: {
            /** Format: int32 */
            total: number;
            results: components["schemas"]["PublicCampaign"][];
            paging?: components["schemas"]["ForwardPaging"];
        };
        /** @description The body of a 429. The client and the simulator read it through their own hand-written types, so nothing breaks when a spec lacks it. */
        RateLimitError: {
            /** @example error */
            status: string;
            message: string;
            /** @enum {string} */
            errorType: "RATE_LIMIT";
            /** Format: uuid */
            correlationId?: string;
            /**
             * @description Which limit was hit.
             * @enum {string}
             */
            policyName: "TEN_SECONDLY_ROLLING" | "SECONDLY" | "DAILY";
        };
    };
    responses: {
        /** @description An error occurred. */
        Error: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Rate limit exceeded. Wait `Retry-After` seconds, or the rest of the window. */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["RateLimitError"];
            };
        };
    };
    parameters: {
        /** @description The campaign's id, a UUID. */
        CampaignGuid: string;
        /** @description Paging cursor from `paging.next.after` of the previous page. */
        After: string;
        /** @description Properties to return. Properties with an empty value are left out. When empty, the `properties` map of each result is empty. */
        Properties: string[];
        /** @description Start of the asset-metrics period, `YYYY-MM-DD`. */
        StartDate: string;
        /** @description End of the asset-metrics period, `YYYY-MM-DD`. */
        EndDate: string;
    };
    requestBodies: never;
    headers: {
        /** @description Requests allowed per rolling interval for this app and account. */
        RateLimitMax: number;
        /** @description Requests left in the current interval. */
        RateLimitRemaining: number;
        /** @description Length of the rolling interval in milliseconds (10000). */
        RateLimitInterval: number;
        /** @description Requests allowed per day (absent for OAuth apps). */
        RateLimitDaily: number;
        /** @description Requests left today (absent for OAuth apps). */
        RateLimitDailyRemaining: number;
        /** @description Seconds to wait before sending again. */
        RetryAfter: number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    "get-/marketing/campaigns/2026-03/": {
        parameters: {
            query?: {
                /** @description Field to sort by: `hs_name`, `createdAt` or `updatedAt`; a leading `-` sorts descending. Default `hs_name`. */
                sort?: string;
                /** @description Paging cursor from `paging.next.after` of the previous page. */
                after?: components["parameters"]["After"];
                /** @description Page size. Default 50. */
                limit?: number;
                /** @description Only campaigns whose name contains this text. */
                name?: string;
                /** @description Properties to return. Properties with an empty value are left out. When empty, the `properties` map of each result is empty. */
                properties?: components["parameters"]["Properties"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description successful operation */
            200: {
                headers: {
                    "X-HubSpot-RateLimit-Max": components["headers"]["RateLimitMax"];
                    "X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-HubSpot-RateLimit-Interval-Milliseconds": components["headers"]["RateLimitInterval"];
                    "X-HubSpot-RateLimit-Daily": components["headers"]["RateLimitDaily"];
                    "X-HubSpot-RateLimit-Daily-Remaining": components["headers"]["RateLimitDailyRemaining"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CollectionResponseWithTotalPublicCampaignForwardPaging"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    "post-/marketing/campaigns/2026-03/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PublicCampaignInput"];
            };
        };
        responses: {
            /** @description successful operation */
            201: {
                headers: {
                    /** @description The URL of the new campaign. */
                    Location?: string;
                    "X-HubSpot-RateLimit-Max": components["headers"]["RateLimitMax"];
                    "X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-HubSpot-RateLimit-Interval-Milliseconds": components["headers"]["RateLimitInterval"];
                    "X-HubSpot-RateLimit-Daily": components["headers"]["RateLimitDaily"];
                    "X-HubSpot-RateLimit-Daily-Remaining": components["headers"]["RateLimitDailyRemaining"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublicCampaign"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    "get-/marketing/campaigns/2026-03/{campaignGuid}": {
        parameters: {
            query?: {
                /** @description Start of the asset-metrics period, `YYYY-MM-DD`. */
                startDate?: components["parameters"]["StartDate"];
                /** @description End of the asset-metrics period, `YYYY-MM-DD`. */
                endDate?: components["parameters"]["EndDate"];
                /** @description Properties to return. Properties with an empty value are left out. When empty, the `properties` map of each result is empty. */
                properties?: components["parameters"]["Properties"];
            };
            header?: never;
            path: {
                /** @description The campaign's id, a UUID. */
                campaignGuid: components["parameters"]["CampaignGuid"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description successful operation */
            200: {
                headers: {
                    "X-HubSpot-RateLimit-Max": components["headers"]["RateLimitMax"];
                    "X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-HubSpot-RateLimit-Interval-Milliseconds": components["headers"]["RateLimitInterval"];
                    "X-HubSpot-RateLimit-Daily": components["headers"]["RateLimitDaily"];
                    "X-HubSpot-RateLimit-Daily-Remaining": components["headers"]["RateLimitDailyRemaining"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublicCampaignWithAssets"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    "delete-/marketing/campaigns/2026-03/{campaignGuid}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The campaign's id, a UUID. */
                campaignGuid: components["parameters"]["CampaignGuid"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No content */
            204: {
                headers: {
                    "X-HubSpot-RateLimit-Max": components["headers"]["RateLimitMax"];
                    "X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-HubSpot-RateLimit-Interval-Milliseconds": components["headers"]["RateLimitInterval"];
                    "X-HubSpot-RateLimit-Daily": components["headers"]["RateLimitDaily"];
                    "X-HubSpot-RateLimit-Daily-Remaining": components["headers"]["RateLimitDailyRemaining"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    "patch-/marketing/campaigns/2026-03/{campaignGuid}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The campaign's id, a UUID. */
                campaignGuid: components["parameters"]["CampaignGuid"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PublicCampaignInput"];
            };
        };
        responses: {
            /** @description successful operation */
            200: {
                headers: {
                    "X-HubSpot-RateLimit-Max": components["headers"]["RateLimitMax"];
                    "X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-HubSpot-RateLimit-Interval-Milliseconds": components["headers"]["RateLimitInterval"];
                    "X-HubSpot-RateLimit-Daily": components["headers"]["RateLimitDaily"];
                    "X-HubSpot-RateLimit-Daily-Remaining": components["headers"]["RateLimitDailyRemaining"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublicCampaign"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    "post-/marketing/campaigns/2026-03/batch/read": {
        parameters: {
            query?: {
                /** @description Start of the asset-metrics period, `YYYY-MM-DD`. */
                startDate?: components["parameters"]["StartDate"];
                /** @description End of the asset-metrics period, `YYYY-MM-DD`. */
                endDate?: components["parameters"]["EndDate"];
                /** @description Properties to return. Properties with an empty value are left out. When empty, the `properties` map of each result is empty. */
                properties?: components["parameters"]["Properties"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BatchInputPublicCampaignReadInput"];
            };
        };
        responses: {
            /** @description successful operation */
            200: {
                headers: {
                    "X-HubSpot-RateLimit-Max": components["headers"]["RateLimitMax"];
                    "X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-HubSpot-RateLimit-Interval-Milliseconds": components["headers"]["RateLimitInterval"];
                    "X-HubSpot-RateLimit-Daily": components["headers"]["RateLimitDaily"];
                    "X-HubSpot-RateLimit-Daily-Remaining": components["headers"]["RateLimitDailyRemaining"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchResponsePublicCampaignWithAssets"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    "post-/marketing/campaigns/2026-03/batch/update": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BatchInputPublicCampaignBatchUpdateItem"];
            };
        };
        responses: {
            /** @description successful operation */
            200: {
                headers: {
                    "X-HubSpot-RateLimit-Max": components["headers"]["RateLimitMax"];
                    "X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-HubSpot-RateLimit-Interval-Milliseconds": components["headers"]["RateLimitInterval"];
                    "X-HubSpot-RateLimit-Daily": components["headers"]["RateLimitDaily"];
                    "X-HubSpot-RateLimit-Daily-Remaining": components["headers"]["RateLimitDailyRemaining"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchResponsePublicCampaign"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    "post-/marketing/campaigns/2026-03/batch/create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BatchInputPublicCampaignInput"];
            };
        };
        responses: {
            /** @description successful operation */
            201: {
                headers: {
                    "X-HubSpot-RateLimit-Max": components["headers"]["RateLimitMax"];
                    "X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-HubSpot-RateLimit-Interval-Milliseconds": components["headers"]["RateLimitInterval"];
                    "X-HubSpot-RateLimit-Daily": components["headers"]["RateLimitDaily"];
                    "X-HubSpot-RateLimit-Daily-Remaining": components["headers"]["RateLimitDailyRemaining"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchResponsePublicCampaign"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    "post-/marketing/campaigns/2026-03/batch/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BatchInputPublicCampaignDeleteInput"];
            };
        };
        responses: {
            /** @description No content */
            204: {
                headers: {
                    "X-HubSpot-RateLimit-Max": components["headers"]["RateLimitMax"];
                    "X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "X-HubSpot-RateLimit-Interval-Milliseconds": components["headers"]["RateLimitInterval"];
                    "X-HubSpot-RateLimit-Daily": components["headers"]["RateLimitDaily"];
                    "X-HubSpot-RateLimit-Daily-Remaining": components["headers"]["RateLimitDailyRemaining"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
}
