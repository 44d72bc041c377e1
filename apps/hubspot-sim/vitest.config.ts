import { projectConfig } from '../../vitest.shared.js';

// Test files share only immutable module state (the compiled OpenAPI schemas), so workers may
// reuse loaded modules across files instead of reloading them per file: a third of the run time.
export default projectConfig({ isolate: false });
