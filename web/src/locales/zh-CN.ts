// 简体中文。键必须与 en.ts 完全一致。
import type { en } from "./en";

export const zhCN: typeof en = {
  common: {
    actions: "操作", all: "全部", date: "日期", exportCsv: "导出 CSV", fixFields: "请修改标出的字段。",
    language: "语言", loading: "加载中…", more: "加载更多", offline: "当前离线。已保存的取货码仍可查看。",
    refresh: "刷新", signOut: "退出登录", skip: "跳到正文", status: "状态", unit: "房号", working: "处理中…",
  },
  nav: {
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
  property: { bills: "账单", dueOn: "到期 {{date}}", paidOn: "已缴", payFromWallet: "用钱包支付 {{amount}}" },
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
  state: {
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
    "idempotency-key-reused": "该操作已用不同内容提交过，请重新开始。",
  },
};
