import type { Catalog } from './catalog';

/** 繁體中文（台灣）: Taiwan usage — 資料, 查詢, 訊息; a table has 列 (rows) and 欄 (columns). */
export const zhTW = {
  commands: {
    help: ['說明', '幫助'],
    new: ['新對話', '重置'],
    signOut: ['登出'],
  },
  messages: {
    'help.intro': '我會透過 Databricks Genie 回答關於您資料的問題。',
    'help.greeting': '👋 您好！我會透過 Databricks Genie 回答關於您資料的問題。',
    'help.howTo':
      '用平常的說法提問就可以。我會顯示 Genie 的回答，附上結果表格（適合時也會附上圖表）、背後的 SQL 與後續問題。後續問題會延續同一段對話。',
    'help.tryThese': '試試這些問題：',
    'help.commands': '**{new}** — 開始新的對話 · **{help}** — 再次顯示這則說明',
    'help.channels': '在頻道中請 @提及我來提問；我會在討論串中回覆。',

    'status.looking': '🔎 正在查詢您的資料…',
    'status.waitingForGenie': '⏳ 您的問題前面還有 {ahead, number} 個問題，Genie 每分鐘約可回答 {perMinute, number} 個。答案會顯示在這裡。',
    'status.queuedBehind': '⏳ 您的問題排在這個聊天中的上一個問題之後，我會接著回答。',
    'reply.newConversation': '已和 Genie 開始新的對話。想了解什麼呢？',
    'reply.notText': '我只能讀取文字問題。請輸入您的問題，或輸入 **{help}** 查看我能做什麼。',
    'reply.tooLong': '這個問題太長，我無法轉交。請控制在 {max, number} 個字元以內。',
    'reply.poison': '抱歉，我無法取得您問題的答案。請再問一次。',
    'reply.turnFailed': '抱歉，我這邊發生錯誤。請再試一次。',
    'refusal.notAllowed': '抱歉，這個機器人只回答已獲授權人員的問題。請洽您的管理員將您加入。',
    'refusal.membershipUnknown': '抱歉，目前無法確認您是否可以使用這個機器人。請過幾分鐘再試。',
    'refusal.rateUnknown': '抱歉，目前無法接收您的問題。請稍後再傳送一次。',
    'refusal.tooMany': '您在過去一分鐘內問了很多問題。請等候 {seconds, number} 秒後再問。',
    'refusal.cardActionElsewhere': '這個按鈕屬於另一個對話。',

    'feedback.good': '回答正確',
    'feedback.bad': '回答有誤',
    'feedback.thanks': '謝謝！您的意見回饋已送給 Genie。',
    'feedback.receipt': '謝謝！您的 {vote} 已送給 Genie。',

    'card.clarifyTitle': 'Genie 需要更多細節：',
    'card.clarifyHint': '請直接在這個聊天中回覆，Genie 會接著處理。',
    'card.noAnswer': 'Genie 已處理完畢，但沒有可顯示的回答。請換個方式提問。',
    'card.noTable': '這個查詢沒有傳回表格。',
    'card.axisScaled': '{title}（× {unit}）',
    'card.chartFallback': '圖表需要較新版本的 Teams 用戶端；資料請見下方表格。',
    'card.count':
      '{rowsCut, select, yes {顯示 {totalRows, number} 列中的 {shownRows, number} 列} other {共 {totalRows, number} 列}}' +
      '{columnsCut, select, yes {、{totalColumns, number} 欄中的 {shownColumns, number} 欄} other {}}' +
      '{cut, select, yes {。請縮小問題範圍以查看其餘資料。} other {}}' +
      '{truncated, select, yes {Genie 只傳回了前 {returnedRows, number} 列。} other {}}',
    'card.sqlShortened': '（為符合 Teams 的大小限制已截短；完整 SQL 請見 Genie）',
    'card.followUps': '後續問題',
    'card.showSql': '顯示 SQL',
    'citations.sources': '來源：{markers}',
    'citations.table.abstract': 'Genie 為回答這個問題所讀取的資料表',
    'citations.instructions.name': '這個 Genie 空間的指示',
    'citations.query.name': 'Genie 執行的查詢',
    'citations.query.abstract': '這個回答背後的 SQL，以及 Genie 的推論過程',
    'citations.how.title': 'Genie 如何得出回答',
    'citations.how.sql': 'SQL 查詢',
    'citations.thought.description': 'Genie 如何理解問題',
    'citations.thought.understanding': 'Genie 對問題的解讀',
    'citations.thought.dataSourcing': '選用的資料表',
    'citations.thought.instructions': '依循的指示',
    'citations.thought.steps': '步驟',

    'error.genieFailed': 'Genie 無法回答這個問題。請換個說法，或問得更具體一些。',
    'error.sqlFailed': 'Genie 為這個問題寫了查詢，但執行失敗。請換個說法，或問得更具體一些。',
    'error.contentFilter': 'Genie 無法回答這個問題。請換個方式提問。',
    'error.rateLimited': 'Genie 目前收到太多問題。請稍候一分鐘再問。',
    'error.timeout': 'Genie 回答這個問題花了太久時間。請再試一次，或縮小問題範圍。',
    'error.permission': '我沒有權限讀取這個問題需要的資料。請聯絡這個機器人的管理員，檢查它對 Genie 空間及資料表的存取權限。',
    'error.ipBlocked': 'Databricks 因 IP 存取清單而拒絕了連線。請聯絡這個機器人的管理員，允許機器人的對外 IP 位址。',
    'error.warehouse': 'Genie 使用的 SQL 倉儲目前無法使用。請過幾分鐘再試；若一直發生，請聯絡這個機器人的管理員檢查 SQL 倉儲。',
    'error.notFound': '找不到 Genie 空間或對話。請輸入 **{new}** 開始新的對話；如果仍然失敗，請聯絡這個機器人的管理員檢查設定。',
    'error.auth': '我無法登入 Databricks。請聯絡這個機器人的管理員，檢查它的 Databricks 認證資訊。',
    'error.uncertain': '我無法確認 Genie 是否已收到您的問題，為了避免重複送出，沒有再送一次。請再問一次。',
    'error.cancelled': 'Genie 已停止處理這個問題。請再問一次。',
    'error.network': '目前無法連線到 Databricks。請過一分鐘再試。',
    'error.internal': '我這邊在取得答案時發生錯誤。請再試一次；若一直發生，請告知這個機器人的管理員。',
    'signIn.title': '登入 Databricks',
    'signIn.prompt': '請先登入，我才能以您自己的存取權限向 Genie 查詢資料。登入後我會馬上回答您的問題。',
    'signIn.expired': '您的 Databricks 登入已過期或被撤銷。請重新登入後再問一次。',
    'signIn.failed': '登入沒有完成。請再問一次問題，以取得新的登入卡片。',
    'signOut.done': '您已登出。下次提問時會請您重新登入。',
    'refusal.personalChatOnly': '這裡的回答使用提問者自己的資料存取權限，而這個聊天中的每個人都看得到。請改在個人聊天中問我。',
    'error.permissionUser':
      '您在 Databricks 中沒有這些資料的存取權限 — {admin, select, none {請向您的 Databricks 管理員} other {請向 {admin} }}申請 Genie 空間及其資料表的存取權限。',
  },
} as const satisfies Catalog;
