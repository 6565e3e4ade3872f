import type { Command } from 'commander';
import { examples } from '../args.js';

/** `rdv mcp`: registers the command; the server itself is in mcp-server.ts. */
export function registerMcp(program: Command): void {
  const cmd = program
    .command('mcp')
    .description('run an MCP server on stdio for Claude Desktop, Claude Code, Cursor and other MCP clients')
    .addHelpText(
      'after',
      '\nAuthenticates with RDV_API_KEY (create one with `rdv token create <name> --api-key`), else RDV_HOME/cli-token.\nSee packages/cli/README.md for client configuration.',
    )
    .action(async (_o: unknown, command: Command) => {
      const { runMcp } = await import('../mcp-server.js');
      await runMcp(command.optsWithGlobals<{ home?: string }>().home);
    });
  examples(cmd, ['claude mcp add rdv -- npx rdv mcp', 'RDV_API_KEY=rdv_key_… rdv mcp']);
}
