// The campaign property catalogue: which names exist, which are writable, and what a valid value
// looks like. HubSpot rejects the whole request over one bad property, so the sim must too.

export const CAMPAIGN_STATUS_OPTIONS = [
  'planned',
  'in_progress',
  'active',
  'paused',
  'completed',
] as const;

/** Active ISO 4217 codes; HubSpot accepts a currency only from its list. */
export const CURRENCY_CODES: ReadonlySet<string> = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN ' +
    'BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS ' +
    'GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW ' +
    'KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD ' +
    'NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD ' +
    'SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES ' +
    'VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL'
  ).split(' '),
);

export const MAX_NAME_LENGTH = 255;

/** HubSpot-style codes a caller can switch on. */
export type PropertyErrorCode =
  | 'PROPERTY_DOESNT_EXIST'
  | 'READ_ONLY_VALUE'
  | 'REQUIRED'
  | 'INVALID_DATE'
  | 'INVALID_OPTION'
  | 'INVALID_FORMAT'
  | 'MAX_LENGTH_EXCEEDED';

interface ValueRule {
  code: PropertyErrorCode;
  /** Completes "must be ...". */
  expected: string;
  accepts(value: string): boolean;
}

const ANY_TEXT: ValueRule = { code: 'INVALID_FORMAT', expected: 'text', accepts: () => true };

const WRITABLE_PROPERTIES: Readonly<Record<string, ValueRule>> = {
  hs_name: {
    code: 'MAX_LENGTH_EXCEEDED',
    expected: `at most ${MAX_NAME_LENGTH} characters`,
    accepts: (v) => v.length <= MAX_NAME_LENGTH,
  },
  hs_start_date: {
    code: 'INVALID_DATE',
    expected: 'a calendar date as YYYY-MM-DD',
    accepts: isCalendarDate,
  },
  hs_end_date: {
    code: 'INVALID_DATE',
    expected: 'a calendar date as YYYY-MM-DD',
    accepts: isCalendarDate,
  },
  hs_notes: ANY_TEXT,
  hs_audience: ANY_TEXT,
  hs_goal: ANY_TEXT,
  hs_utm: ANY_TEXT,
  hs_owner: {
    code: 'INVALID_FORMAT',
    expected: 'a user id (digits only)',
    accepts: (v) => /^\d+$/.test(v),
  },
  hs_currency_code: {
    code: 'INVALID_OPTION',
    expected: 'an ISO 4217 currency code such as USD',
    accepts: (v) => CURRENCY_CODES.has(v),
  },
  hs_campaign_status: {
    code: 'INVALID_OPTION',
    expected: `one of ${CAMPAIGN_STATUS_OPTIONS.join(', ')}`,
    accepts: (v) => (CAMPAIGN_STATUS_OPTIONS as readonly string[]).includes(v),
  },
  hs_color_hex: {
    code: 'INVALID_FORMAT',
    expected: 'a colour as #RRGGBB',
    accepts: (v) => /^#[0-9A-Fa-f]{6}$/.test(v),
  },
};

/** Computed or system-managed: readable, never writable through the API. */
export const READ_ONLY_PROPERTIES: readonly string[] = [
  'hs_object_id',
  'hs_created_by_user_id',
  'hs_createdate',
  'hs_lastmodifieddate',
  'hs_budget_items_sum_amount',
  'hs_spend_items_sum_amount',
];

export const WRITABLE_PROPERTY_NAMES: readonly string[] = Object.keys(WRITABLE_PROPERTIES);

export interface PropertyViolation {
  propertyName: string;
  code: PropertyErrorCode;
  /** Why the value was refused, without naming the campaign. */
  reason: string;
}

/**
 * Every problem in one input's property map. `create` additionally requires a non-empty
 * `hs_name`. `""` is valid for any writable property: it resets the value.
 */
export function findPropertyViolations(
  properties: Readonly<Record<string, string>>,
  mode: 'create' | 'update',
): PropertyViolation[] {
  const violations: PropertyViolation[] = [];
  for (const [name, value] of Object.entries(properties)) {
    if (READ_ONLY_PROPERTIES.includes(name)) {
      violations.push({
        propertyName: name,
        code: 'READ_ONLY_VALUE',
        reason: `${name} is a read-only property`,
      });
    } else if (!Object.hasOwn(WRITABLE_PROPERTIES, name)) {
      violations.push({
        propertyName: name,
        code: 'PROPERTY_DOESNT_EXIST',
        reason: `Property ${name} does not exist`,
      });
    } else {
      const rule = WRITABLE_PROPERTIES[name]!;
      if (value !== '' && !rule.accepts(value)) {
        violations.push({
          propertyName: name,
          code: rule.code,
          reason: `${JSON.stringify(value)} is not a valid value for ${name}: must be ${rule.expected}`,
        });
      }
    }
  }
  if (mode === 'create' && !properties.hs_name) {
    violations.push({
      propertyName: 'hs_name',
      code: 'REQUIRED',
      reason: 'hs_name is required to create a campaign',
    });
  }
  return violations;
}

/** `YYYY-MM-DD` naming a day that exists (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= daysInMonth;
}
