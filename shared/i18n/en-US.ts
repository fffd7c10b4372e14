/**
 * English (United States): the source catalog. Its keys are the message keys every other
 * language must translate. Messages are ICU MessageFormat: `{n, number}` follows the locale,
 * `{n, plural, …}` picks the plural form; `{help}` and `{new}` are this language's command words.
 */
export const enUS = {
  commands: {
    help: ['help', '?', 'commands'],
    new: ['new', 'reset', 'new chat', 'new conversation', 'start over'],
    signOut: ['sign out', 'signout', 'log out', 'logout'],
    spaces: ['spaces', 'list spaces', 'show spaces'],
    use: ['use', 'switch to'],
  },
  messages: {
    'help.intro': 'I answer questions about your data with Databricks Genie.',
    'help.greeting': '👋 Hi! I answer questions about your data with Databricks Genie.',
    'help.howTo':
      'Ask in plain words. I show Genie’s answer with the table (and a chart when it helps), the SQL behind it, and follow-up questions. Follow-ups continue the same conversation.',
    'help.tryThese': 'Try one of these:',
    'help.commands': '**{new}** — start a fresh conversation · **{help}** — show this again',
    'help.channels': 'In a channel, mention me to ask; I answer in the thread.',

    'status.looking': '🔎 Looking at your data…',
    'status.findingTables': '🔎 Finding the right tables…',
    'status.writingQuery': '✍️ Writing the query…',
    'status.runningQuery': '⚙️ Running it on the warehouse…',
    'status.waitingForGenie':
      '⏳ {ahead, plural, one {# question} other {# questions}} ahead of yours — Genie answers about {perMinute, number} a minute. Your answer will appear here.',
    'status.queuedBehind': '⏳ Your question is queued behind the previous one in this chat. I’ll answer it right after.',
    'reply.newConversation': 'Started a new conversation with Genie. What would you like to know?',
    'reply.notText': 'I can only read text questions. Type your question, or **{help}** to see what I can do.',
    'reply.tooLong': 'That question is too long for me to pass on. Please keep it under {max, number} characters.',
    'reply.poison': "Sorry, I couldn't get an answer to your question. Please ask it again.",
    'reply.turnFailed': 'Sorry, something went wrong on my side. Please try again.',
    'refusal.notAllowed': 'Sorry, I can only answer questions for the people this bot was set up for. Your administrator can add you.',
    'refusal.membershipUnknown': "Sorry, I couldn't check right now that you may use this bot. Please try again in a few minutes.",
    'refusal.rateUnknown': "Sorry, I couldn't take your question just now. Please send it again in a moment.",
    'refusal.tooMany':
      "You've asked a lot of questions in the last minute. Please wait {seconds, plural, one {# second} other {# seconds}} and ask again.",
    'refusal.cardActionElsewhere': 'That button belongs to another conversation.',

    'feedback.good': 'Good answer',
    'feedback.bad': 'Not right',
    'feedback.thanks': 'Thanks — your feedback went to Genie.',
    'feedback.receipt': 'Thanks — your {vote} went to Genie.',

    'card.clarifyTitle': 'Genie needs a bit more detail:',
    'card.clarifyHint': 'Reply in this chat and Genie will carry on from here.',
    'card.noAnswer': 'Genie finished without an answer to show. Try asking it another way.',
    'card.noTable': 'The query returned no table.',
    'card.axisScaled': '{title} (× {unit})',
    'card.chartFallback': 'The chart needs a newer Teams client; the data is in the table below.',
    'card.count':
      '{rowsCut, select, yes {Showing {shownRows, number} of } other {}}{totalRows, plural, one {# row} other {# rows}}' +
      '{columnsCut, select, yes {, {shownColumns, number} of {totalColumns, number} columns} other {}}' +
      '{cut, select, yes { — ask a narrower question to see the rest.} other {}}' +
      '{truncated, select, yes { Genie returned the first {returnedRows, number}.} other {}}',
    'card.sqlShortened': '(shortened to fit Teams; the full SQL is in Genie)',
    'card.followUps': 'Follow-up questions',
    'card.showSql': 'Show SQL',
    'citations.sources': 'Sources: {markers}',
    'citations.table.abstract': 'A table Genie read to answer this question',
    'citations.instructions.name': 'Instructions of this Genie space',
    'citations.query.name': 'The query Genie ran',
    'citations.query.abstract': 'The SQL behind this answer and how Genie got to it',
    'citations.how.title': 'How Genie answered',
    'citations.how.sql': 'The SQL',
    'citations.thought.description': 'How Genie read the question',
    'citations.thought.understanding': 'What Genie took the question to mean',
    'citations.thought.dataSourcing': 'The tables it chose',
    'citations.thought.instructions': 'The instructions it followed',
    'citations.thought.steps': 'Its steps',

    'error.genieFailed': "Genie couldn't answer that question. Try rephrasing it, or ask for something more specific.",
    'error.sqlFailed': "Genie wrote a query for this but it didn't run. Try rephrasing the question, or ask for something more specific.",
    'error.contentFilter': "Genie can't answer that question. Try asking it differently.",
    'error.rateLimited': 'Genie is getting more questions than it can take right now. Please wait a minute and ask again.',
    'error.timeout': 'Genie took too long to answer this one. Try asking again, or ask a narrower question.',
    'error.permission':
      "I'm not allowed to read the data this question needs. Ask the people who run this bot to check its access to the Genie space and its tables.",
    'error.ipBlocked':
      "Databricks refused the connection because of its IP access list. Ask the people who run this bot to allow the bot's outbound addresses.",
    'error.warehouse':
      "The SQL warehouse behind Genie isn't available right now. Try again in a few minutes; if it keeps happening, ask the people who run this bot to check the warehouse.",
    'error.notFound':
      "I couldn't find the Genie space or conversation. Type **{new}** to start a fresh conversation; if that fails too, ask the people who run this bot to check its settings.",
    'error.auth': "I couldn't sign in to Databricks. Ask the people who run this bot to check its Databricks credentials.",
    'error.uncertain': "I couldn't confirm that Genie received your question, so I didn't send it twice. Please ask it again.",
    'error.cancelled': 'Genie stopped working on this question. Please ask it again.',
    'error.network': "I couldn't reach Databricks just now. Please try again in a minute.",
    'error.internal':
      'Something went wrong on my side while getting your answer. Please try again; if it keeps happening, let the people who run this bot know.',
    'signIn.title': 'Sign in to Databricks',
    'signIn.prompt': 'Sign in so I can ask Genie with your own access to the data. I’ll answer your question right after.',
    'signIn.expired': 'Your Databricks sign-in has expired or was revoked. Sign in again, then ask once more.',
    'signIn.failed': 'Sign-in didn’t complete. Ask your question again to get a new sign-in card.',
    'signOut.done': 'You’re signed out. Your next question asks you to sign in again.',
    'refusal.personalChatOnly':
      'Answers here use the asker’s own access to the data, and everyone in this chat could read them. Ask me in a personal chat instead.',
    'error.permissionUser':
      "You don't have access to this data in Databricks — {admin, select, none {ask your Databricks administrator} other {ask {admin}}} for access to the Genie space and its tables.",

    'download.button': 'Download all {rows, plural, one {# row} other {# rows}}',
    'download.started': 'Preparing the file — the link will appear in this chat.',
    'download.preparing':
      '📥 Preparing a file with all {rows, plural, one {# row} other {# rows}} of this answer… If no link has appeared here in 3 minutes, please press the button again.',
    'download.ready': '📥 All {rows, plural, one {# row} other {# rows}} of this answer are ready ({format}).',
    'download.expiresIn':
      'The link works for about {minutes, plural, one {# minute} other {# minutes}}. Anyone who has it can open the file, so please don’t forward it.',
    'download.expiresSoon': 'The link works only for a short while. Anyone who has it can open the file, so please don’t forward it.',
    'download.open': 'Open the file',
    'download.openPart': 'Part {part, number} of {parts, number}',
    'download.failed': "Genie couldn't prepare the file. Please press the button again in a minute.",
    'download.tooSlow': 'Preparing the file took too long. Please press the button again in a few minutes, or ask a narrower question.',
    'download.expired': 'This answer is too old to download. Ask the question again for a fresh answer.',
    'help.space': 'You’re asking **{title}**. Type **{spaces}** to see the other Genie spaces you can use.',
    'spaces.title': 'Genie spaces you can ask',
    'spaces.currentMark': 'asking now',
    'spaces.useButton': 'Use {title}',
    'spaces.hint':
      'Press a button, or type **{use}** and a space’s short name, e.g. **{use} {example}**. Switching starts a fresh conversation.',
    'spaces.none': 'You can’t open any of the Genie spaces this bot offers. Ask your Databricks administrator for access.',
    'spaces.switched': 'Now asking **{title}**, in a fresh conversation.',
    'spaces.unknown': '“{alias}” isn’t one of my Genie spaces. Choose one of: {aliases}.',
    'spaces.noAccess':
      'You can’t open **{title}** in Databricks. {admin, select, none {Ask your Databricks administrator} other {Ask {admin}}} for access.',
    'spaces.pinned': 'This team or channel always asks **{title}**; it can’t be switched here.',
    'card.fromSpace': 'From **{title}**',
    'citations.space.abstract': 'The Genie space that answered',
  },
} as const;
