// The rules the gateway applies to an update's ids and property names are the engine's: the page
// uses the same functions, so a value refused here is exactly one the gateway would refuse. They
// come from `@campaigns/core/validate`, the core's browser-safe entry (it imports nothing), not
// from the package's root, which would bring the whole engine and its HTTP client into the bundle.
export { checkIdValue, checkPropertyName } from '@campaigns/core/validate';
