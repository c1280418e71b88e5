import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

/**
 * Preloaded with `node --import` by tests that check what a CLI run imports: appends every module
 * URL the process loads to the file named by RECORD_IMPORTS_TO.
 */
const target = process.env['RECORD_IMPORTS_TO'];
if (target) {
  registerHooks({
    load(url, context, nextLoad) {
      appendFileSync(target, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
