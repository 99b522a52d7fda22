"""English for intake channels, Open311, online opinion leads, triage, notifications (see
translate_en)."""

from __future__ import annotations

EN: dict[str, str | tuple[str, str]] = {
    # intake: 12345 hotline and 110 orders
    "来电人": "Caller",
    "来电号码": "Caller's number",
    "110联动": "110 link",
    "Open311": "Open311",
    "已接收": "Received",
    "对方撤单": "Withdrawn by sender",
    "对方改派": "Reassigned by sender",
    "我方退单": "Returned by us",
    "撤单": "Withdraw",
    "改派": "Reassign",
    "退单": "Return",
    "移交110": "Transfer to 110",
    "渠道": "Channel",
    "服务账号": "Service account",
    "所属区划": "Region",
    "默认分类": "Default category",
    "回调地址": "Callback URL",
    "对接渠道": "Channel integration",
    "用途": "Purpose",
    "密钥前缀": "Key prefix",
    "吊销时间": "Revoked at",
    "接口密钥": "API key",
    "对方分类": "Sender's category",
    "本平台分类": "Our category",
    "分类对照": "Category mapping",
    "对方工单号": "Sender's ticket no.",
    "对方办理时限": "Sender's deadline",
    "工单状态": "Ticket status",
    "接收时间": "Received",
    "外部工单": "External ticket",
    "工单退改记录": "Ticket withdrawals and returns",
    "渠道不正确": "Invalid channel",
    "%(c)s接口": "%(c)s API",
    "%(c)s回调": "%(c)s callback",
    "该密钥已属于其他渠道": "This key already belongs to another channel",
    "分类不存在或不是小类": "No such category, or not a subcategory",
    "无法对应本平台分类，请提供 category_code 或配置分类对照": (
        "Cannot map to one of our categories: send category_code or set up a category mapping"
    ),
    "该渠道不接收工单": "This channel does not accept tickets",
    "请填写工单号": "Please enter the ticket number",
    "工单号不能超过64字": "The ticket number can be at most 64 characters",
    "来电人不能超过50字": "The caller can be at most 50 characters",
    "来电号码不能超过20字": "The caller's number can be at most 20 characters",
    "类型应为 withdraw（撤单）或 reassign（改派）": "kind must be withdraw or reassign",
    "请填写原因": "Please give a reason",
    "工单当前状态为「%(s)s」，不能再%(k)s": (
        "The ticket is now “%(s)s”: it can no longer take “%(k)s”"
    ),
    "只有本辖区的指挥中心受理员可以移交110": (
        "Only a dispatcher of this area's centre can transfer to 110"
    ),
    "请填写移交理由": "Please give the reason for the transfer",
    "移交理由不能超过1000字": "The reason can be at most 1000 characters",
    "尚未配置110对接地址，不能移交": "No 110 link is configured: cannot transfer",
    "属公安管辖，已移交110：%(r)s": "A police matter, transferred to 110: %(r)s",
    "%(channel)s工单号%(no)s": "%(channel)s ticket %(no)s",
    "渠道工单": "Channel tickets",
    "12345 / 110 工单": "12345 / 110 tickets",
    "对方时限": "Sender's deadline",
    "办理状态": "Handling status",
    "暂无工单": "No tickets",
    "属公安管辖的事项移交110后，本平台以“不予受理”结束该事件，并将事项与反映人联系方式推送"
    "110。仅待受理的事件可以移交。": (
        "A police matter transferred to 110 is ended here as “Rejected”, and the matter "
        "and the reporter's contact details are sent to 110. Only events awaiting "
        "acceptance can be transferred."
    ),
    "移交理由": "Reason for transfer",
    "确认移交": "Transfer",
    "取消": "Cancel",
    "退改记录": "Withdrawals and returns",
    "已移交110": "Transferred to 110",
    # open311
    "提交人": "Submitter",
    "电话": "Phone",
    "邮箱": "Email",
    "客户端": "Client",
    "令牌": "Token",
    "服务编码": "Service code",
    "设备号": "Device id",
    "账号": "Account",
    "名": "First name",
    "姓": "Last name",
    "地址编号": "Address id",
    "媒体地址": "Media URL",
    "属性": "Attributes",
    "Open311 诉求": "Open311 request",
    "缺少 service_code": "service_code is missing",
    "service_code %(c)s 不存在": "service_code %(c)s does not exist",
    "lat 与 long 须同时提供": "lat and long must be given together",
    "须提供 lat/long、address_string 或 address_id 之一": (
        "One of lat/long, address_string or address_id is required"
    ),
    "描述不能超过4000字": "The description can be at most 4000 characters",
    "电话不能超过20字": "The phone can be at most 20 characters",
    "media_url 应为 http(s) 地址": "media_url must be an http(s) URL",
    "编号%(code)s": "No. %(code)s",
    "平安基层社会治理平台管理员": "The Pingan platform administrator",
    "向平台管理员申请 Open311 api_key（manage.py channel_setup open311 --key）": (
        "Ask the platform administrator for an Open311 api_key "
        "(manage.py channel_setup open311 --key)"
    ),
    "是": "Yes",
    "否": "No",
    "status 只能为 open 或 closed": "status must be open or closed",
    "%(f)s 应为带时区的 W3C 时间，如 2026-01-01T00:00:00+08:00": (
        "%(f)s must be a W3C time with a time zone, e.g. 2026-01-01T00:00:00+08:00"
    ),
    "end_date 不能早于 start_date": "end_date cannot be before start_date",
    "start_date 与 end_date 相隔不能超过90天": (
        "start_date and end_date can be at most 90 days apart"
    ),
    "api_key 缺失或无效，不能提交诉求": "Missing or invalid api_key: cannot submit requests",
    "已受理登记，可凭编号查询办理进度": "Registered; use the number to follow progress",
    "不支持的请求方法": "Method not supported",
    "service_request_id %(i)s 不存在": "service_request_id %(i)s does not exist",
    "token %(t)s 不存在": "token %(t)s does not exist",
    # leads: online opinion leads (网络舆情线索)
    "待研判": "To assess",
    "已转事件": "Made an event",
    "不予处理": "Dismissed",
    "风险分": "Risk score",
    "风险信号": "Risk signals",
    "帖子数": "Posts",
    "首次发现": "First seen",
    "最近发现": "Last seen",
    "转办事件": "Event made",
    "研判意见": "Assessment",
    "舆情线索": "Online opinion lead",
    "平台": "Platform",
    "链接": "Link",
    "作者": "Author",
    "发布时间": "Posted",
    "点赞": "Likes",
    "评论": "Comments",
    "转发": "Shares",
    "浏览": "Views",
    "截图": "Screenshot",
    "舆情帖子": "Online post",
    "网络舆情线索": "Online opinion leads",
    "风险类型": "Risk type",
    "最低风险分": "Minimum risk score",
    "最近发现自": "Last seen since",
    "关键词": "Keywords",
    "导入帖子（CSV/Excel：平台、链接、作者、内容、发布时间、点赞、评论、转发、浏览、截图）": (
        "Import posts (CSV/Excel: platform, link, author, content, posted, likes, comments, "
        "shares, views, screenshot)"
    ),
    "上传": "Upload",
    "线索": "Lead",
    "研判": "Assess",
    "原帖": "Original post",
    "赞": "likes",
    "评": "comments",
    "转": "shares",
    "选择分类": "Choose a category",
    "转为事件": "Make an event",
    "不予处理理由": "Reason for dismissal",
    "暂无线索": "No leads",
    "请选择 CSV 或 Excel 文件": "Please choose a CSV or Excel file",
    "文件无法读取，请使用 UTF-8 CSV 或 xlsx": "Cannot read the file: use UTF-8 CSV or xlsx",
    "共 %(total)s 行：新增 %(created)s，已存在 %(existing)s，出错 %(errors)s": (
        "%(total)s rows: %(created)s new, %(existing)s already present, %(errors)s errors"
    ),
    "第%(n)s行：%(reason)s": "Row %(n)s: %(reason)s",
    "已转为事件 %(code)s": "Made event %(code)s",
    "已标记为不予处理": "Dismissed",
    # triage: smart dispatch, duplicates, risk alerts
    "置信度应在 0 到 1 之间": "Confidence must be between 0 and 1",
    "群体性事件苗头": "Sign of a mass incident",
    "危及生命安全": "Threat to life",
    "火灾爆炸": "Fire or explosion",
    "矛盾激化风险": "Risk of a dispute escalating",
    "待判断": "To decide",
    "非重复": "Not a duplicate",
    "建议分类": "Suggested category",
    "分类置信度": "Category confidence",
    "建议主办部门": "Suggested lead department",
    "部门置信度": "Department confidence",
    "模型训练时间": "Model trained",
    "自动操作": "Automatic action",
    "分类建议": "Category suggestion",
    "自动受理": "Accept automatically",
    "自动派遣": "Dispatch automatically",
    "最低置信度": "Minimum confidence",
    "0 到 1 之间；低于此值只给出建议": "Between 0 and 1; below it only a suggestion is given",
    "自动分拨策略": "Automatic dispatch policy",
    "相似度": "Similarity",
    "依据": "Grounds",
    "疑似重复": "Possible duplicate",
    "每行一个": "One per line",
    "正则表达式": "Regular expression",
    "风险预警规则": "Risk alert rule",
    "命中内容": "Matched text",
    "通知人数": "People notified",
    "风险预警": "Risk alert",
    "智能分拨自动派遣": "Dispatched automatically by smart dispatch",
    "风险预警：%(signal)s（命中“%(text)s”），已标记紧急并通知领导": (
        "Risk alert: %(signal)s (matched “%(text)s”); marked urgent and leaders notified"
    ),
    "命中规则“%(rule)s”：%(text)s": "Matched rule “%(rule)s”: %(text)s",
    "智能分拨": "Smart dispatch",
    "命中": "Matched",
    "已通知 %(n)s 位领导": "%(n)s leaders notified",
    "置信度": "Confidence",
    "与上报分类不同": "differs from the reported category",
    "已自动受理并派遣": "Accepted and dispatched automatically",
    "已自动受理": "Accepted automatically",
    "文本相似": "Similar text",
    "同一电话": "Same phone",
    "同一网格": "Same grid",
    "合并到此事件": "Merge into this event",
    "不是重复": "Not a duplicate",
    "未发现疑似重复事件": "No possible duplicates found",
    "经研判为重复事件，予以合并": "Assessed as a duplicate and merged",
    "已合并到主事件": "Merged into the master event",
    "已标记为非重复": "Marked as not a duplicate",
    # notifications
    "重新发送已放弃或未发送的消息": "Resend abandoned or unsent messages",
    "%(n)d 条消息将重新发送。": (
        "%(n)d message will be resent.",
        "%(n)d messages will be resent.",
    ),
    "接收人": "Recipient",
    "已读时间": "Read",
    "站内通知": "Notification",
    "签名密钥": "Signing secret",
    "订阅的动作": "Subscribed actions",
    "为空表示全部": "Empty means all",
    "Webhook 接收方": "Webhook endpoint",
    "邮件": "Email",
    "Webhook": "Webhook",
    "短信": "SMS",
    "发送中": "Sending",
    "已发送": "Sent",
    "已放弃": "Abandoned",
    "未发送（未配置短信网关）": "Not sent (no SMS gateway configured)",
    "目标": "Target",
    "尝试次数": "Attempts",
    "外发消息": "Outgoing message",
    "新事件待受理": "New event to accept",
    "提级事件待受理": "Escalated event to accept",
    "超期事件已自动提级": "Overdue event escalated automatically",
    "新派遣待签收": "New dispatch to acknowledge",
    "事件被退回": "Event returned",
    "延期申请待审批": "Extension request to approve",
    "延期申请已审批": "Extension request decided",
    "核查不通过，请重新办理": "Verification failed: please handle it again",
    "事件重办": "Event reopened",
    "督办": "Supervision order",
    "催办": "Reminder",
    "事件已办结反馈，待核查": "Event resolved, to verify",
    "事件临期预警": "Event deadline near",
    "事件已超期": "Event overdue",
    "重复件已并入您上报的事件": "A duplicate was merged into your event",
    "“民声一键办”页面": "the “One-tap citizen reports” page",
    "您上报的事件已并入%(code)s": "Your event was merged into %(code)s",
    "跟踪复查到期": "Tracking re-check due",
    "请于%(day)s前后对该事件进行第%(n)s天跟踪复查。": (
        "Please do the %(n)s-day tracking re-check of this event around %(day)s."
    ),
    "您反映的问题（%(ref)s）与同类问题合并办理，合并后的事件编号为%(master)s，办理进度可凭原"
    "%(ref)s查询。": (
        "Your report (%(ref)s) has been merged with a report of the same problem into event "
        "%(master)s; you can still follow progress with %(ref)s."
    ),
    "另有群众反映的同类问题已并入您反映的问题（%(ref)s），将一并办理。": (
        "Another report of the same problem has been merged into yours (%(ref)s) and will "
        "be handled with it."
    ),
    "您反映的问题（%(ref)s）已办结，请凭查询码和手机号后4位在%(at)s查看办理结果并评价。": (
        "Your report (%(ref)s) is closed. See the result and rate it at %(at)s with the "
        "tracking code and the last 4 digits of your mobile."
    ),
    "您反映的问题（%(ref)s）已办结，感谢您的反映。": (
        "Your report (%(ref)s) is closed. Thank you for reporting it."
    ),
    "您反映的问题（%(ref)s）已随合并后的事件%(master)s一并办结，感谢您的反映。": (
        "Your report (%(ref)s) is closed together with event %(master)s, into which it was "
        "merged. Thank you for reporting it."
    ),
    "您反映的问题（%(ref)s）经审核不予受理，原因：%(reason)s。": (
        "Your report (%(ref)s) was not accepted. Reason: %(reason)s."
    ),
    "您反映的问题（%(ref)s）经审核不予受理。": "Your report (%(ref)s) was not accepted.",
    # leads: service errors
    "只有受理中心人员可以录入舆情": "Only centre staff can enter online opinion",
    "区划不在您的受理范围内": "The region is outside your area",
    "应为非负整数": "Must be a whole number, zero or more",
    "请填写发布时间": "Please enter when it was posted",
    "时间格式应为 YYYY-MM-DD HH:MM[:SS]": "Times must be YYYY-MM-DD HH:MM[:SS]",
    "发布时间不能晚于当前时间": "The posting time cannot be in the future",
    "请填写平台": "Please enter the platform",
    "链接应为 http(s) 地址": "The link must be an http(s) URL",
    "请填写内容": "Please enter the content",
    "缺少必需的列（平台、链接、内容、发布时间）": (
        "Required columns missing (平台, 链接, 内容, 发布时间: platform, link, content, posted)"
    ),
    "该线索已研判": "This lead has already been assessed",
    "请填写不予处理的理由": "Please give the reason for dismissing it",
}
