import type { Catalog } from './catalog';

/** 简体中文（中国大陆）: mainland usage — 数据, 查询, 消息; a table has 行 (rows) and 列 (columns). */
export const zhCN = {
  commands: {
    help: ['帮助', '说明'],
    new: ['新对话', '重置'],
    signOut: ['退出登录', '登出'],
  },
  messages: {
    'help.intro': '我通过 Databricks Genie 回答关于你的数据的问题。',
    'help.greeting': '👋 你好！我通过 Databricks Genie 回答关于你的数据的问题。',
    'help.howTo':
      '用日常的说法提问即可。我会显示 Genie 的回答，附上结果表格（合适时还会附上图表）、背后的 SQL 和后续问题。后续问题会延续同一个对话。',
    'help.tryThese': '试试这些问题：',
    'help.commands': '**{new}** — 开始新的对话 · **{help}** — 再次显示本说明',
    'help.channels': '在频道中请 @提及我来提问；我会在该帖子中回复。',

    'status.looking': '🔎 正在查询你的数据…',
    'status.findingTables': '🔎 正在查找合适的数据表…',
    'status.writingQuery': '✍️ 正在编写查询…',
    'status.runningQuery': '⚙️ 正在数据仓库上运行查询…',
    'status.waitingForGenie':
      '⏳ 你的问题前面还有 {ahead, number} 个问题，Genie 每分钟大约能回答 {perMinute, number} 个。答案会显示在这里。',
    'status.queuedBehind': '⏳ 你的问题排在这个聊天中的上一个问题之后，我会接着回答。',
    'reply.newConversation': '已与 Genie 开始新的对话。想了解什么？',
    'reply.notText': '我只能读取文字问题。请输入你的问题，或输入 **{help}** 查看我能做什么。',
    'reply.tooLong': '这个问题太长，我无法转交。请控制在 {max, number} 个字符以内。',
    'reply.poison': '抱歉，我没能获取你的问题的答案。请再问一次。',
    'reply.turnFailed': '抱歉，我这边出错了。请再试一次。',
    'refusal.notAllowed': '抱歉，这个机器人只回答已获授权人员的问题。请联系您的管理员将您添加进来。',
    'refusal.membershipUnknown': '抱歉，暂时无法确认您是否可以使用这个机器人。请过几分钟再试。',
    'refusal.rateUnknown': '抱歉，暂时无法接收您的问题。请稍后再发送一次。',
    'refusal.tooMany': '您在过去一分钟内提了很多问题。请等待 {seconds, number} 秒后再问。',
    'refusal.cardActionElsewhere': '这个按钮属于另一个对话。',

    'feedback.good': '回答正确',
    'feedback.bad': '回答有误',
    'feedback.thanks': '谢谢！你的反馈已发送给 Genie。',
    'feedback.receipt': '谢谢！你的 {vote} 已发送给 Genie。',

    'card.clarifyTitle': 'Genie 需要更多细节：',
    'card.clarifyHint': '请直接在此聊天中回复，Genie 会接着处理。',
    'card.noAnswer': 'Genie 已处理完毕，但没有可显示的回答。请换个方式提问。',
    'card.noTable': '该查询没有返回表格。',
    'card.axisScaled': '{title}（× {unit}）',
    'card.chartFallback': '图表需要较新版本的 Teams 客户端；数据见下方表格。',
    'card.count':
      '{rowsCut, select, yes {显示 {totalRows, number} 行中的 {shownRows, number} 行} other {共 {totalRows, number} 行}}' +
      '{columnsCut, select, yes {、{totalColumns, number} 列中的 {shownColumns, number} 列} other {}}' +
      '{cut, select, yes {。请缩小问题范围以查看其余数据。} other {}}' +
      '{truncated, select, yes {Genie 只返回了前 {returnedRows, number} 行。} other {}}',
    'card.sqlShortened': '（为符合 Teams 的大小限制已截断；完整 SQL 请在 Genie 中查看）',
    'card.followUps': '后续问题',
    'card.showSql': '显示 SQL',
    'citations.sources': '来源：{markers}',
    'citations.table.abstract': 'Genie 为回答这个问题所读取的数据表',
    'citations.instructions.name': '这个 Genie 空间的指令',
    'citations.query.name': 'Genie 执行的查询',
    'citations.query.abstract': '这个回答背后的 SQL，以及 Genie 的推理过程',
    'citations.how.title': 'Genie 如何得出回答',
    'citations.how.sql': 'SQL 查询',
    'citations.thought.description': 'Genie 如何理解问题',
    'citations.thought.understanding': 'Genie 对问题的解读',
    'citations.thought.dataSourcing': '选用的数据表',
    'citations.thought.instructions': '遵循的指令',
    'citations.thought.steps': '步骤',

    'error.genieFailed': 'Genie 无法回答这个问题。请换个说法，或问得更具体一些。',
    'error.sqlFailed': 'Genie 为这个问题编写了查询，但执行失败。请换个说法，或问得更具体一些。',
    'error.contentFilter': 'Genie 无法回答这个问题。请换个方式提问。',
    'error.rateLimited': 'Genie 当前收到的问题太多。请等一分钟再问。',
    'error.timeout': 'Genie 回答这个问题用时太长。请再试一次，或缩小问题范围。',
    'error.permission': '我无权读取这个问题所需的数据。请联系此机器人的管理员，检查它对 Genie 空间及数据表的访问权限。',
    'error.ipBlocked': 'Databricks 因 IP 访问列表拒绝了连接。请联系此机器人的管理员，允许机器人的出站 IP 地址。',
    'error.warehouse': 'Genie 使用的 SQL 仓库当前不可用。请几分钟后再试；如果一直出现，请联系此机器人的管理员检查 SQL 仓库。',
    'error.notFound': '找不到 Genie 空间或对话。请输入 **{new}** 开始新的对话；如果仍然失败，请联系此机器人的管理员检查设置。',
    'error.auth': '我无法登录 Databricks。请联系此机器人的管理员，检查它的 Databricks 凭据。',
    'error.uncertain': '我无法确认 Genie 是否已收到你的问题，为避免重复发送，没有再发一次。请再问一次。',
    'error.cancelled': 'Genie 已停止处理这个问题。请再问一次。',
    'error.network': '暂时无法连接到 Databricks。请一分钟后再试。',
    'error.internal': '我这边在获取答案时出错了。请再试一次；如果一直出现，请告知此机器人的管理员。',
    'signIn.title': '登录 Databricks',
    'signIn.prompt': '请先登录，我才能以你自己的访问权限向 Genie 查询数据。登录后我会马上回答你的问题。',
    'signIn.expired': '你的 Databricks 登录已过期或被撤销。请重新登录后再问一次。',
    'signIn.failed': '登录没有完成。请再问一次问题，以获取新的登录卡片。',
    'signOut.done': '你已退出登录。下次提问时会请你重新登录。',
    'refusal.personalChatOnly': '这里的回答使用提问者自己的数据访问权限，而此聊天中的每个人都能看到。请改在个人聊天中问我。',
    'error.permissionUser':
      '你在 Databricks 中没有这些数据的访问权限 — {admin, select, none {请向你的 Databricks 管理员} other {请向 {admin} }}申请 Genie 空间及其数据表的访问权限。',
  },
} as const satisfies Catalog;
