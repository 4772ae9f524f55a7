// The JSON bodies a webhook posts: sisflow's own shape, or what Microsoft Teams (an Adaptive Card
// in a message, as Teams workflows and incoming webhooks take it) and Slack incoming webhooks expect.
import type { Alert } from '@sisflow/core';

export type WebhookFormat = 'json' | 'teams' | 'slack';

export function webhookBody(format: WebhookFormat, alert: Alert): unknown {
  if (format === 'slack') return { text: `*${alert.title}*\n\`\`\`\n${alert.text}\n\`\`\`` };
  if (format === 'teams') {
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: alert.title, weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text: alert.text, wrap: true, fontType: 'Monospace' },
            ],
          },
        },
      ],
    };
  }
  return { sisflow: 1, ...alert };
}
