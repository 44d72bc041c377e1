// The gateway's limits the page checks before it sends anything. The values are the gateway's
// defaults (test/limits.test.ts fails when they drift apart); a gateway deployed with other
// settings is matched by building the page with the same numbers:
//   VITE_MAX_CAMPAIGNS_PER_JOB=20000 VITE_MAX_PROPERTY_VALUE_LENGTH=… npx nx run web:build

export interface EditorLimits {
  /** MAX_CAMPAIGNS_PER_JOB: inputs per startCampaignUpdate, and the cap of "select all matching". */
  maxCampaignsPerJob: number;
  /** MAX_PROPERTIES_PER_CAMPAIGN: properties per input. */
  maxPropertiesPerCampaign: number;
  /** MAX_PROPERTY_VALUE_LENGTH: characters per value. */
  maxPropertyValueLength: number;
  /** MAX_BODY_BYTES: the largest request body of a caller without credentials (AUTH_MODE=none). */
  maxBodyBytes: number;
  /** MAX_JOB_BODY_BYTES: the largest body of a job start by a caller with a JWT or API key. */
  maxJobBodyBytes: number;
}

export const GATEWAY_DEFAULT_LIMITS: Readonly<EditorLimits> = {
  maxCampaignsPerJob: 100_000,
  maxPropertiesPerCampaign: 100,
  maxPropertyValueLength: 65_536,
  maxBodyBytes: 1024 * 1024,
  maxJobBodyBytes: 16 * 1024 * 1024,
};

/** The largest CSV file the page reads (a file is read whole into memory). */
export const MAX_CSV_FILE_BYTES = 32 * 1024 * 1024;
/** The most CSV rows the page checks (a header and blank lines count). */
export const MAX_CSV_ROWS = 200_000;

function positiveInteger(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text && Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

/** The limits this build checks: the gateway's defaults unless overridden at build time. */
export const LIMITS: Readonly<EditorLimits> = {
  maxCampaignsPerJob: positiveInteger(
    import.meta.env.VITE_MAX_CAMPAIGNS_PER_JOB,
    GATEWAY_DEFAULT_LIMITS.maxCampaignsPerJob,
  ),
  maxPropertiesPerCampaign: positiveInteger(
    import.meta.env.VITE_MAX_PROPERTIES_PER_CAMPAIGN,
    GATEWAY_DEFAULT_LIMITS.maxPropertiesPerCampaign,
  ),
  maxPropertyValueLength: positiveInteger(
    import.meta.env.VITE_MAX_PROPERTY_VALUE_LENGTH,
    GATEWAY_DEFAULT_LIMITS.maxPropertyValueLength,
  ),
  maxBodyBytes: positiveInteger(
    import.meta.env.VITE_MAX_BODY_BYTES,
    GATEWAY_DEFAULT_LIMITS.maxBodyBytes,
  ),
  maxJobBodyBytes: positiveInteger(
    import.meta.env.VITE_MAX_JOB_BODY_BYTES,
    GATEWAY_DEFAULT_LIMITS.maxJobBodyBytes,
  ),
};
