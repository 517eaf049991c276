// 简体中文。键必须与 en.ts 完全一致。
import type { en } from "./en";

export const zhCN: typeof en = {
  common: {
    actions: "操作", all: "全部", date: "日期", exportCsv: "导出 CSV", fixFields: "请修改标出的字段。",
    language: "语言", loading: "加载中…", more: "加载更多", offline: "当前离线。已保存的取货码仍可查看。",
    refresh: "刷新", signOut: "退出登录", skip: "跳到正文", status: "状态", unit: "房号", working: "处理中…",
  },
  nav: {
    passes: "访客通行证", amenities: "设施与预约", suggestions: "建议", merchants: "商户", staff: "员工", topups: "钱包充值", coupons: "优惠券", groupBuys: "团购", reviews: "评价", figures: "经营数据", apiKeys: "API 密钥",
    main: "主导航", dashboard: "概览", applications: "住户申请", billing: "费用与账单", tickets: "报修工单",
    announcements: "公告", orders: "订单队列", redeem: "核销取货码", catalogue: "商品与库存",
  },
  tabs: { home: "首页", shop: "商城", property: "物业", clubs: "社团", me: "我的" },
  auth: {
    email: "邮箱", password: "密码", name: "姓名", signIn: "登录", signUp: "注册账号", signInTitle: "欢迎回来",
    signUpTitle: "加入你的社区", createAccount: "创建账号", noAccount: "第一次使用？", haveAccount: "已有账号？",
    passwordHint: "至少 8 个字符。",
  },
  portal: {
    signInTitle: "Courtyard 管理后台", community: "社区", noRoleTitle: "这里没有可管理的内容",
    noRole: "此账号不是本社区的物业管理员或商家。住户请使用 Courtyard 应用。",
  },
  dashboard: {
    ticketsToday: "今日新增工单", collection: "{{period}} 收缴率", overdue: "逾期账单", pending: "待审核申请",
    ordersToday: "今日商城订单", ticketsByState: "各状态工单数",
  },
  applications: { applicant: "申请人", approve: "通过", reject: "拒绝", none: "暂无申请。" },
  billing: {
    fees: "收费项目", feeName: "费用名称", amount: "金额", addFee: "添加费用", inactive: "已停用", fee: "费用",
    scope: { community: "全社区", building: "单栋楼" },
    run: "生成账单", period: "账期", runButton: "生成本期账单",
    runResult: "{{period}}：新增 {{created}} 张账单（本期共 {{total}} 张）。",
    bills: "账单", due: "到期日", noBills: "没有符合条件的账单。", recordOffline: "登记线下缴费",
    confirmOffline: "为 {{unit}} 登记线下缴费 {{amount}}？",
    method: { wallet: "钱包", offline: "线下" },
  },
  tickets: {
    age: "已等待", overSla: "超过 24 小时", assignTo: "指派给", assign: "指派", start: "开始处理", note: "处理说明",
    resolve: "标记已解决", history: "处理记录",
  },
  announcements: {
    new: "发布新公告", title: "标题", body: "内容", audience: "发送范围", everyone: "全体住户", publish: "发布",
    read: "已读 {{read}} / {{total}}",
  },
  merchant: {
    order: "订单 #{{id}}", new: "新", newOrders: "新订单：{{count}}", noneHere: "暂无", accept: "接单", ready: "备货完成",
    cancel: "取消", confirmCancel: "取消订单 #{{id}}？款项将退还给买家。", recent: "最近完成",
    code: "取货码", redeem: "核销", scan: "扫描二维码", stopScan: "停止扫描", camera: "摄像头预览",
    noScanner: "此浏览器不支持扫码，请手动输入取货码。", redeemed: "订单 #{{id}} 已交付。",
  },
  catalogue: {
    name: "商品", category: "分类", price: "价格", stock: "库存", none: "还没有商品。", offSale: "已下架",
    stockButton: "库存", delta: "数量变化", reason: "原因", record: "记录",
    reasons: { purchase: "进货入库", adjustment: "盘点调整", return: "退货入库", sale: "销售", cancel: "订单取消" },
    add: "添加商品", addButton: "添加",
  },
  apply: {
    title: "申请成为住户", intro: "欢迎，{{name}}。请向物业获取社区编号和房号，或打开物业发送的邀请链接。",
    community: "社区编号", communityHint: "见邀请函。", unit: "房号编号", unitHint: "邀请函上的房号编号。",
    submit: "提交申请", mine: "我的申请", none: "还没有申请。", item: "社区 {{community}}，房号 {{unit}}",
    continue: "继续",
  },
  home: {
    hello: "你好，{{name}}", notifications: "通知", markAllRead: "全部标为已读", noNotifications: "暂无新消息。",
    unread: "未读：{{count}}", announcements: "公告", noAnnouncements: "暂无公告。", new: "新",
    billsDue: "待缴账单", noBills: "没有待缴账单。", events: "近期活动",
  },
  shop: {
    myOrders: "我的订单", noMerchants: "还没有商家。", noReviews: "暂无评价", search: "搜索", noProducts: "没有符合条件的商品。",
    inStock: "剩余 {{count}} 件", soldOut: "已售罄", add: "加一件{{name}}", remove: "减一件{{name}}", quantity: "{{name}}数量",
    reviews: "评价", stars: "{{count}} 星（满分 5 星）", verified: "认证住户", viewCart: "查看购物车（{{count}}）",
    backToShop: "返回店铺", cart: "购物车", emptyCart: "购物车是空的。", total: "合计", fulfilment: "收货方式",
    pickup: "到店自提", delivery: "送货上门", coupon: "优惠码", walletBalance: "钱包余额",
    pay: "支付 {{amount}}", noOrders: "还没有订单。", offlineCodes: "离线：已保存的取货码。", savedCopy: "已保存的副本",
    pickupCode: "取货码", qrLabel: "取货码 {{code}} 的二维码", showAtCounter: "请在柜台出示此码。",
    review: "体验如何？", rating: "评分", reviewText: "评价内容（可选）", sendReview: "提交评价",
    thanksReview: "感谢你的评价！",
  },
  property: { services: "服务", bills: "账单", dueOn: "到期 {{date}}", paidOn: "已缴", payFromWallet: "用钱包支付 {{amount}}" },
  clubs: {
    clubs: "社团", free: "免费", seats: "已报名 {{going}} / {{capacity}}", waitlistCount: "候补：{{count}}",
    going: "已报名", checkInCode: "签到码", waitlisted: "你在候补名单中：第 {{position}} 位",
    rsvp: "报名", joinWaitlist: "加入候补", cancelRsvp: "取消报名", noEvents: "暂无近期活动。",
    members: "成员：{{count}}", join: "加入", membership: { member: "已加入", pending: "已申请" },
  },
  me: {
    wallet: "钱包", statement: "明细", settings: "设置",
    kind: {
      top_up: "充值", order_payment: "商城订单", refund: "退款", bill_payment: "缴纳账单", event_fee: "活动费用",
      event_refund: "活动退款", group_buy_hold: "团购（冻结）", group_buy_release: "团购解冻",
    },
  },
  passes: {
    title: "访客通行证", verify: "核验通行证", code: "通行码", verifyButton: "核验", valid: "有效：{{name}} 到访 {{unit}}",
    issue: "开具通行证", visitor: "访客姓名", from: "生效时间", until: "失效时间", hours: "有效时长",
    forHours: "{{count}} 小时", issueButton: "开具", issued: "{{name}} 的通行码：", all: "全部通行证", mine: "我的通行证",
    none: "暂无访客通行证。", residentsIssue: "通行证由住户在 Courtyard 应用中开具；请在门口于此核验。",
    showCode: "显示通行码和二维码", qrLabel: "{{name}} 的通行证二维码：{{code}}", shareHint: "把通行码发给访客，门岗扫码或输入即可。",
  },
  amenities: {
    title: "预约设施", none: "暂无设施。", add: "添加设施", name: "名称", capacityLabel: "容量（同时人数）",
    capacity: "同时 {{count}} 人", addButton: "添加设施", calendar: "预约：{{name}}", prevWeek: "上一周",
    thisWeek: "本周", nextWeek: "下一周", cancel: "取消预约", confirmCancel: "确定取消该预约？",
    which: "设施", day: "日期", today: "今天", slotsFor: "{{name}}：时段", taken: "已约 {{count}} / {{capacity}}",
    yours: "你已预约", book: "预约", full: "已满", booked: "已预约 {{name}}，{{time}}。",
  },
  suggestions: {
    title: "建议", sort: "排序", byVotes: "票数最多", newest: "最新", none: "暂无建议。",
    votes: "{{count}} 票", vote: "投票", unvote: "撤回投票", new: "提出建议", body: "详细内容", submit: "提交建议",
  },
  merchants: {
    name: "店铺", rating: "评分", none: "暂无商户。",
    noSuspend: "API 暂不支持暂停商户；如需暂停请联系支持。",
  },
  staff: {
    name: "姓名", role: "角色", since: "起始", grant: "添加员工", grantButton: "授予角色", resident: "选择住户",
    accountId: "账号编号", roles: { manager: "物业经理", courier: "配送员" },
  },
  topups: {
    button: "充值", show: "查看流水", confirm: "为 {{account}} 的钱包充值 {{amount}}？",
    done: "已充值 {{amount}}，新余额 {{balance}}。", statement: "钱包流水", kind: "类型", noEntries: "暂无钱包记录。",
  },
  coupons: {
    code: "券码", discount: "优惠", minSpend: "最低消费", used: "已使用", expires: "到期", none: "暂无优惠券。",
    new: "新建优惠券", kind: "优惠类型", percent: "按百分比", amount: "按金额", percentOff: "折扣百分比",
    amountOff: "减免金额", maxRedemptions: "最多使用次数", create: "创建优惠券",
  },
  groupBuys: {
    title: "团购", none: "暂无团购。", new: "发起团购", unitPrice: "团购价", minParticipants: "成团人数",
    closes: "截止", create: "发起团购", progress: "{{count}} / {{min}} 人", product: "商品 #{{id}}",
    join: "参团 {{amount}}", joined: "你已参团：{{count}} 件，{{amount}}（已在钱包中冻结）。",
    share: "分享给邻居", shared: "链接已复制", shareText: "一起团购：{{name}}，团购价 {{price}}",
    outcome: { reached: "已成团", not_enough_participants: "人数不足，款项已退回", stock_short: "库存不足，款项已退回" },
  },
  reviews: {
    none: "暂无评价。", summary: "{{avg}} ★，共 {{count}} 条评价",
    noReplies: "API 暂不支持回复评价。",
  },
  figures: {
    from: "从", to: "至", sales: "销售额", orders: "订单", units: "售出件数", buyers: "买家", repeat: "回头客比例",
    salesByDay: "每日销售额", byCategory: "按分类", noSales: "该期间没有销售。",
  },
  apiKeys: {
    name: "名称", prefix: "密钥开头", scopes: "权限", none: "暂无 API 密钥。", new: "新建 API 密钥", create: "创建密钥",
    revoke: "吊销", confirmRevoke: "吊销密钥 {{name}}？使用它的程序将停止工作。",
    shownOnce: "密钥 {{name}}：请立即复制，它只显示一次。", copy: "复制", copied: "已复制", stored: "我已保存",
  },
  repairs: {
    title: "报修", new: "提交报修", category: "需要维修的类别", description: "描述问题", submit: "提交报修",
    mine: "我的报修单", none: "暂无报修单。", rateIntro: "修好了吗？评分后即可关闭报修单。",
    comment: "评论（可选）", close: "评分并关闭", rated: "你的评分：{{count}} / 5。",
    categories: { plumbing: "水管", electrical: "电路", structural: "结构", appliance: "电器", common_area: "公共区域", other: "其他" },
  },
  parcels: {
    title: "包裹与配送", parcels: "物业处的包裹", none: "暂无包裹。", arrived: "到达时间",
    showCode: "显示取件码", qrLabel: "包裹取件码二维码 {{code}}", deliveries: "送货上门",
    noDeliveries: "暂无配送。", proofHint: "订单送达时把此码告诉配送员。", proofQr: "签收码二维码 {{code}}",
  },
  codes: {
    title: "我的凭证码", link: "全部已保存的凭证码（离线可用）", intro: "在柜台或门口出示的凭证码，已保存在本机。",
    none: "暂无已保存的凭证码。", qrLabel: "二维码 {{code}}",
    kinds: { pickup: "订单取货", visitor: "访客通行证", delivery: "签收码", parcel: "包裹取件" },
  },
  posts: {
    title: "社区动态", new: "发布动态", publish: "发布", none: "暂无动态。", likes: "{{count}} 个赞",
    comments: "{{count}} 条评论", comment: "你的评论", send: "发送", report: "举报", reason: "举报原因",
    sendReport: "提交举报", reported: "谢谢，物业会尽快查看。",
  },
  state: {
    open: "进行中", closing: "即将结束", waiting: "待取", picked_up: "已取件", claimed: "已分配骑手", delivered: "已送达", failed: "失败", member: "成员",
    submitted: "待处理", assigned: "已指派", in_progress: "处理中", resolved: "已解决", closed: "已关闭",
    pending: "待审核", approved: "已通过", rejected: "已拒绝", unpaid: "未缴", paid: "已缴", overdue: "逾期",
    placed: "已下单", accepted: "已接单", ready: "待取货", completed: "已完成", cancelled: "已取消",
    going: "已报名", waitlisted: "候补中", active: "有效", used: "已使用", expired: "已过期",
  },
  status: {
    "400": "请求无法识别。", "401": "请重新登录（邮箱或密码错误，或登录已过期）。",
    "403": "你没有权限执行此操作。", "404": "未找到，可能已被删除。",
    "409": "当前状态下无法执行此操作，请刷新后重试。", "413": "内容太大。",
    "422": "部分信息无效。", "429": "尝试次数过多，请稍后再试。",
    "503": "服务繁忙，请稍后再试。", other: "出错了，请重试。",
  },
  problem: {
    network: "无法连接 Courtyard，请检查网络。", unexpected: "发生了意外错误。",
    "insufficient-funds": "钱包余额不足，请联系物业充值。",
    "insufficient-stock": "库存不足。", "order-state": "订单状态已变化，请刷新查看。",
    "invalid-transition": "工单当前状态下不能执行此步骤。", "already-reviewed": "你已评价过此订单。",
    "already-redeemed": "此码已被使用。", "already-rsvped": "你已回复过此活动。",
    "already-joined": "你已加入。", "coupon-exhausted": "优惠券已被领完。", "coupon-exists": "该优惠码已存在。",
    "event-started": "活动已开始。", "pass-not-valid-now": "通行证当前不在有效期内。",
    "pass-used": "该通行证已使用过。", "capacity-exceeded": "该时段已约满，请选择其他时段。",
    "idempotency-key-reused": "该操作已用不同内容提交过，请重新开始。",
  },
};
