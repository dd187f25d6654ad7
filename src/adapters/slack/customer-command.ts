import type { App } from '@slack/bolt';
import { customerSearchView, profileSections } from '../../core/customers/profile-view.ts';
import type { FounderActions } from '../../core/ports.ts';
import { SolodeskError } from '../../errors.ts';
import { escapeMrkdwn } from './send.ts';

// `/customer <name|id>` in Slack, founders only: the core's profile view (core/customers/
// profile-view.ts) as mrkdwn, answered privately (ephemeral) where the founder typed it.

export const CUSTOMER_REFUSAL = 'Sorry, customer profiles are only for the founders of this desk. If you need help, just write to us here.';

export interface CustomerCommandDeps {
  founder: Pick<FounderActions, 'findCustomers'>;
  founderUsers: readonly string[];
}

export function registerCustomerCommand(app: App, deps: CustomerCommandDeps): void {
  app.command('/customer', async ({ command, ack }) => {
    const reply = (text: string) => ack({ response_type: 'ephemeral', text });
    if (!deps.founderUsers.includes(command.user_id)) return reply(CUSTOMER_REFUSAL);
    try {
      return reply(await customerText(deps.founder, command.text));
    } catch (error) {
      if (error instanceof SolodeskError) return reply(`That did not work: ${escapeMrkdwn(error.message)}`);
      throw error;
    }
  });
}

/** What `/customer <query>` answers, in mrkdwn. */
export async function customerText(founder: Pick<FounderActions, 'findCustomers'>, query: string): Promise<string> {
  const view = customerSearchView(query, query.trim() === '' ? [] : await founder.findCustomers(query));
  switch (view.kind) {
    case 'usage':
    case 'none':
      return escapeMrkdwn(view.text);
    case 'several':
      return [`:busts_in_silhouette: ${escapeMrkdwn(view.heading)}`, ...view.lines.map((l) => `• ${escapeMrkdwn(l)}`)].join('\n');
    case 'one': {
      const { title, sections } = profileSections(view.profile);
      return [
        `:bust_in_silhouette: *${escapeMrkdwn(title)}*`,
        ...sections.map((s) => `*${escapeMrkdwn(s.heading)}*\n${s.items.map((i) => `• ${escapeMrkdwn(i)}`).join('\n')}`),
      ].join('\n');
    }
  }
}
