/**
 * `npm run mailroom export --mailbox M` (without `--`) hands `--mailbox` to npm, which keeps it as
 * its own setting (`npm_config_mailbox=true` in the script's environment) and passes `M` on as a
 * bare word. The command would then fail on a missing flag, or worse, run without it; this names
 * the flags npm took so the error can say how to call the CLI instead. (`--workspace` is an npm
 * flag itself: npm fails before the script starts, which nothing here can see.)
 */
export function flagsTakenByNpm(
  longFlags: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  if (env['npm_lifecycle_event'] === undefined) {
    return [];
  }
  return longFlags.filter((flag) => {
    const name = flag.replace(/^--/, '').toLowerCase().replace(/-/g, '_');
    return env[`npm_config_${name}`] !== undefined;
  });
}

export function npmFlagsMessage(command: string, flags: readonly string[]): string {
  return `npm took ${flags.join(', ')} as its own flag${flags.length > 1 ? 's' : ''}: put -- before the command (npm run --silent mailroom -- ${command} …) or run npx mailroom ${command} …`;
}
