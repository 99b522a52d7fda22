"""English for the web back office: account security, analytics, audit, event pages, exports
(see translate_en)."""

from __future__ import annotations

EN: dict[str, str | tuple[str, str]] = {
    # navigation
    "统计分析": "Analytics",
    "网格通": "Grid app",
    "审计日志": "Audit log",
    "期限": "Due",
    # account security, password, two-factor sign-in
    "账户安全": "Account security",
    "登录密码": "Sign-in password",
    "上次修改：%(at)s": "Last changed: %(at)s",
    "修改密码": "Change password",
    "双因素认证（动态口令）": "Two-factor authentication (one-time password)",
    "已绑定（%(at)s），登录时需输入动态口令。": (
        "Set up (%(at)s): a one-time password is needed to sign in."
    ),
    "解除绑定": "Remove",
    "您的角色必须使用双因素认证；更换手机请联系安全管理员重置。": (
        "Your role must use two-factor authentication; if you change phones, ask the "
        "security administrator to reset it."
    ),
    "动态口令": "One-time password",
    "完成绑定": "Finish set-up",
    "您的角色必须使用双因素认证。": "Your role must use two-factor authentication.",
    "未绑定。绑定后，登录时除密码外还需输入手机认证器上的动态口令。": (
        "Not set up. Once set up, signing in needs the one-time password from the "
        "authenticator on your phone as well as your password."
    ),
    "绑定认证器": "Set up an authenticator",
    "在手机上安装支持 TOTP 的认证器应用（如 FreeOTP、Microsoft Authenticator、Google "
    "身份验证器等）。": (
        "Install an authenticator app that supports TOTP on your phone (e.g. FreeOTP, "
        "Microsoft Authenticator, Google Authenticator)."
    ),
    "用认证器扫描下方二维码；无法扫描时，手动输入密钥。": (
        "Scan the QR code below with the authenticator; if you cannot scan it, enter the "
        "secret by hand."
    ),
    "输入认证器显示的 6 位动态口令完成绑定。": (
        "Enter the 6-digit one-time password the authenticator shows to finish."
    ),
    "绑定二维码": "Set-up QR code",
    "双因素认证": "Two-factor authentication",
    "输入动态口令": "Enter the one-time password",
    "请打开手机上的认证器应用，输入“平安”账号当前显示的 6 位动态口令。": (
        "Open the authenticator app on your phone and enter the 6-digit one-time password "
        "it now shows for the “Pingan” account."
    ),
    "返回登录": "Back to sign-in",
    "验证并登录": "Verify and sign in",
    "手机丢失或更换时，请联系安全管理员重置动态口令。": (
        "If you lose or change your phone, ask the security administrator to reset your "
        "one-time password."
    ),
    "绑定动态口令": "Set up a one-time password",
    "您的角色须使用双因素认证登录。请先绑定认证器。": (
        "Your role must sign in with two-factor authentication. Please set up an "
        "authenticator first."
    ),
    "绑定并登录": "Set up and sign in",
    "原密码": "Current password",
    "新密码": "New password",
    "确认新密码": "Confirm new password",
    "保存新密码": "Save new password",
    "请重新输入用户名和密码": "Please enter your username and password again",
    "动态口令不正确或已使用，请输入认证器上的最新口令": (
        "Wrong or already used one-time password: enter the latest one from the authenticator"
    ),
    "动态口令不正确，请核对认证器中的口令后重试": (
        "Wrong one-time password: check it in the authenticator and try again"
    ),
    "已绑定动态口令，下次登录时需输入口令": (
        "One-time password set up: you will need it the next time you sign in"
    ),
    "动态口令不正确，请核对后重试": "Wrong one-time password: check it and try again",
    "您的角色必须使用双因素认证，不能解除绑定": (
        "Your role must use two-factor authentication: it cannot be removed"
    ),
    "已解除动态口令绑定": "One-time password removed",
    "原密码不正确": "The current password is wrong",
    "两次输入的新密码不一致": "The two new passwords do not match",
    "新密码不能与原密码相同": "The new password must differ from the current one",
    "密码已修改；其他设备上的登录和接口令牌已失效": (
        "Password changed; sign-ins on other devices and API tokens no longer work"
    ),
    # analytics: dashboard, wall display, briefings, period locks, export jobs
    "工作简报": "Briefings",
    "也可以输入下级区划编号：在统计分析页逐级进入后点“生成简报”。": (
        "You can also brief a lower region: drill down on the analytics page and click "
        "“Make a briefing”."
    ),
    "生成 Word 简报": "Make a Word briefing",
    "生成 PDF 简报": "Make a PDF briefing",
    "已归档简报": "Archived briefings",
    "期间": "Period",
    "下载": "Download",
    "还没有简报": "No briefings yet",
    "区划层级": "Region level",
    "起": "From",
    "止": "To",
    "已封账": "Period locked",
    "大屏模式": "Wall display",
    "生成简报": "Make a briefing",
    "导出指标(Excel)": "Export KPIs (Excel)",
    "封账管理": "Period locks",
    "导出事件清单(Excel)": "Export event list (Excel)",
    "主要指标": "Key figures",
    "同比": "YoY",
    "受理与办结走势": "Accepted and closed over time",
    "网格分布": "By grid",
    "事件密度": "Event density",
    "分类构成": "By category",
    "来源构成": "By source",
    "区域排名": "Area ranking",
    "数量": "Count",
    "办结": "Closed",
    "按期办结率": "On-time rate",
    "没有下级区划": "No lower regions",
    "部门排名": "Department ranking",
    "正在统计……": "Counting…",
    "超期未办结": "Overdue and open",
    "超期(天)": "Overdue (days)",
    "处置用时中位数": "Median handling time",
    "个工作日": "working days",
    "重复报事": "Repeat reports",
    "条": "items",
    "主办数": "Led",
    "派遣数": "Dispatched",
    "退单率": "Return rate",
    "导出事件清单": "Export event list",
    "已导出 %(done)s / %(total)s 行": "Exported %(done)s of %(total)s rows",
    "下载 Excel 文件": "Download the Excel file",
    "导出失败，请缩小筛选范围后重试。": "The export failed. Narrow the filters and try again.",
    "返回统计分析": "Back to analytics",
    "封账后，该期间内上报的事件，其统计数据保持封账时的样子，以后再修改事件也不会变动（适用于全部区"
    "划）。解除封账会按事件现状重算该期间。封账和解除都记入审计日志。": (
        "Once a period is locked, the statistics of events reported in it stay as they were "
        "at locking, even if the events change later (for all regions). Unlocking recounts "
        "the period from the events as they are now. Locking and unlocking are both recorded "
        "in the audit log."
    ),
    "封账方式": "Lock by",
    "按月": "Month",
    "按年": "Year",
    "年份": "Year",
    "封账说明": "Notes",
    "如：2025年11月数据已上报市里": "e.g. November 2025 figures sent to the city",
    "封账": "Lock period",
    "已封账期间": "Locked periods",
    "解除封账": "Unlock",
    "还没有封账期间": "No locked periods yet",
    "社会治理指挥大屏": "Governance command wall",
    "基层社会治理指挥大屏": "Grassroots governance command wall",
    "更新于": "Updated",
    "每%(refresh)s秒自动刷新": "Refreshes every %(refresh)s seconds",
    "退出大屏": "Leave wall display",
    "超期%(d)s天": "%(d)s days overdue",
    # audit log
    "导出 CSV": "Export CSV",
    "动作（前缀）": "Action (prefix)",
    "序号": "Sequence",
    "对象": "Object",
    "没有符合条件的审计记录": "No audit records match",
    # event page, actions, report form
    "推荐": "Recommended",
    "协办部门（可多选）": "Assisting departments (any number)",
    "主事件编号": "Master event code",
    "申请延期 %(days)s 个工作日": "Requests %(days)s more working days",
    "同意": "Approved",
    "复查任务": "Re-check tasks",
    "第 %(d)s 天": "Day %(d)s",
    "复查结论": "Re-check result",
    "照片": "Photos",
    "核查说明（不通过时必填）": "Verification notes (required if it fails)",
    "不予受理理由": "Reason for rejection",
    "退回理由": "Reason for return",
    "延期理由": "Reason for extension",
    "重办理由": "Reason for reopening",
    "提级理由": "Reason for escalation",
    "督办意见": "Supervision instructions",
    "催办内容": "Reminder",
    "备注": "Notes",
    "说明（选填）": "Notes (optional)",
    "通过": "Pass",
    "不通过": "Fail",
    "确认%(label)s": "Confirm: %(label)s",
    "可执行的操作": "Available actions",
    "基本信息": "Details",
    "显示": "Show",
    "已记录查看": "Viewing logged",
    "坐标": "Coordinates",
    "办理部门": "Departments",
    "主/协": "Lead/assisting",
    "延期 %(days)s 个工作日": "Extension of %(days)s working days",
    "新期限": "new deadline",
    "复发事件": "Recurrence event",
    "请检查标红的内容，事件尚未上报": "Please check the fields marked in red: not reported yet",
    "请选择大类": "Choose a category",
    "请选择小类": "Choose a subcategory",
    "请先选择大类": "Choose a category first",
    "标题（选填，默认取描述前30字）": (
        "Title (optional; defaults to the first 30 characters of the description)"
    ),
    "在地图上点选位置": "Pick the place on the map",
    "在地图上点选事发位置，或填写经纬度。": (
        "Pick where it happened on the map, or enter the latitude and longitude."
    ),
    "此设备不支持定位": "This device cannot locate you",
    "已定位，精度约（米）：": "Located, accurate to about (m):",
    "定位失败：": "Could not locate:",
    "所在网格（无坐标时选择）": "Grid (choose if there are no coordinates)",
    "当前角色不能上报事件。": "Your role cannot report events.",
    "签收": "Acknowledge",
    "系统": "System",
    "核查通过": "Verification passed",
    "核查不通过": "Verification failed",
    "临期": "Warning",
    "主事件不存在": "No such master event",
    "没有这个操作": "No such action",
    "当前不能执行此操作": "This action is not possible now",
    "请检查填写的内容": "Please check what you entered",
    "已完成：%(label)s": "Done: %(label)s",
    # exports needing approval
    "导出需要审批": "Export needs approval",
    "本次导出共 %(count)s 条，超过 %(threshold)s 条，需要另一位负责人批准后才能下载。导出文件中的"
    "个人信息均已脱敏。": (
        "This export has %(count)s rows, more than %(threshold)s: another officer must "
        "approve it before it can be downloaded. Personal details in the file are masked."
    ),
    "导出用途": "Purpose of the export",
    "提交导出申请": "Request the export",
    "我的导出申请": "My export requests",
    "待我审批": "Waiting for my approval",
    "批准": "Approve",
    "没有待审批的导出申请": "No export requests to approve",
    "还没有导出申请": "No export requests yet",
    "导出申请已提交，等待审批": "Export request submitted, waiting for approval",
    "请选择事件分类（小类）": "Please choose the event category (subcategory)",
    # analytics: KPI names (kpis.LABELS) and the dashboard charts
    "受理登记总量": "Events registered",
    "受理量": "Accepted",
    "办结量": "Closed",
    "按期办结量": "Closed on time",
    "回访量": "Followed up",
    "满意量": "Satisfied",
    "满意率": "Satisfaction rate",
    "在办超期量": "Open and overdue",
    "平均处置用时(工作日)": "Average handling time (working days)",
    "处置用时中位数(工作日)": "Median handling time (working days)",
    "矛盾纠纷量": "Disputes",
    "矛盾纠纷化解量": "Disputes settled",
    "矛盾纠纷化解率": "Dispute settlement rate",
    "重复报事率": "Repeat report rate",
    "重复报事量": "Repeat reports (count)",
    "应为整数编号": "Must be a whole-number id",
    "受理": "Accepted",
    "{name}：{count} 件，办结率 {rate}": "{name}: {count} events, closure rate {rate}",
    # CSV exports and period locks
    "反映人电话（脱敏）": "Reporter's phone (masked)",
    "应为按月或按年": "Must be by month or by year",
    "月份格式应为 YYYY-MM": "Months are YYYY-MM",
    "年份应为四位数字": "Years are four digits",
    "请填写封账说明": "Please give a note for the lock",
    "封账说明不能超过200字": "The note can be at most 200 characters",
    "只有县级领导或县级指挥中心可以封账": (
        "Only county leaders or the county centre can lock periods"
    ),
    "已封账：%(from)s 至 %(to)s": "Locked: %(from)s to %(to)s",
    "已解除封账，该期间已按事件现状重算": (
        "Unlocked; the period has been recounted from the events as they are now"
    ),
}
