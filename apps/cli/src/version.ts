// This command line's version, as its package.json says (`hubspot-campaigns --version`).
import packageJson from '../package.json' with { type: 'json' };

export const CLI_VERSION: string = packageJson.version;
