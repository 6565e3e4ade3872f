// The `rdv` entry point. `rdv hook` runs inside an agent on every hook event, so it takes
// the short way: only its own small module is loaded, not the command tree (which still
// answers `rdv hook --help`).
const args = process.argv.slice(2);
if (args[0] === 'hook' && !args.includes('--help') && !args.includes('-h')) {
  const { runHook } = await import('./hook.js');
  await runHook(args.slice(1));
} else {
  await import('./cli.js');
}
