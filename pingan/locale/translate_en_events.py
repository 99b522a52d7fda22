"""English for the event loop: events, intake, triage, leads, routing, SLA (see translate_en)."""

from __future__ import annotations

EN: dict[str, str | tuple[str, str]] = {
    # events: category admin
    '上报此类事件须填写的附加字段，JSON 列表，例如 [{"name": "place_kind", "label": '
    '"场所类型", "type": "choice", "required": true, "choices": ["住宅", "商铺"]}]'
    "；type 可为 text、number、choice、bool。": (
        "Extra fields to fill in when reporting this kind of event, as a JSON list, e.g. "
        '[{"name": "place_kind", "label": "场所类型", "type": "choice", "required": true, '
        '"choices": ["住宅", "商铺"]}]; type may be text, number, choice or bool.'
    ),
    "附加字段应为列表": "Extra fields must be a list",
    "第%(i)d项应为对象": "Item %(i)d must be an object",
    "第%(i)d项的 name 应为英文标识符": "Item %(i)d: name must be an ASCII identifier",
    "字段名 %(n)s 重复": "Field name %(n)s is repeated",
    "第%(i)d项缺少 label（中文名称）": "Item %(i)d has no label (Chinese name)",
    "第%(i)d项的 type 应为 text、number、choice 或 bool": (
        "Item %(i)d: type must be text, number, choice or bool"
    ),
    "第%(i)d项为 choice，须给出 choices 列表": "Item %(i)d is a choice: give a choices list",
    "上级分类不能是自身": "A category cannot be its own parent",
    "分类只有两级：上级分类须为大类": (
        "Categories have two levels: the parent must be a top-level category"
    ),
    "流转记录": "Transitions",
    "时间线": "Timeline",
    "缩略图": "Thumbnail",
    "内容": "Content",
    "反映人": "Reporter",
    "办理": "Handling",
    "地址（脱敏）": "Address (masked)",
    "反映人（脱敏）": "Reporter (masked)",
    # events: choices
    "Open311接口": "Open311 API",
    "满意": "Satisfied",
    "基本满意": "Basically satisfied",
    "不满意": "Dissatisfied",
    "工作小时": "Working hours",
    "工作日": "Working days",
    "待审批": "Pending approval",
    "已同意": "Approved",
    "不同意": "Refused",
    "上报照片": "Report photo",
    "处置照片": "Handling photo",
    "核查照片": "Verification photo",
    "待复查": "Re-check due",
    "未复发": "Not recurred",
    "已复发": "Recurred",
    "已取消": "Cancelled",
    # events: contact details and sensitivity
    "当前角色不能查看完整的个人信息": "Your role cannot see full personal details",
    "敏感标签不正确": "Invalid sensitivity label",
    "事件不存在": "No such event",
    "当前角色不能设置敏感标签": "Your role cannot set sensitivity labels",
    # events: models
    "编码": "Code",
    "名称": "Name",
    "上级分类": "Parent category",
    "默认主办部门": "Default lead department",
    "附加字段": "Extra fields",
    "超期自动提级": "Escalate automatically when overdue",
    "敏感标签": "Sensitivity label",
    "此类事件上报时带上的敏感标签；只有获得授权的用户能看到": (
        "Sensitivity label given to events of this kind when reported; only authorised "
        "users can see them"
    ),
    "排序": "Order",
    "启用": "Enabled",
    "事件分类": "Event category",
    "紧急程度": "Urgency",
    "签收时限": "Acknowledgement deadline",
    "签收时限单位": "Acknowledgement deadline unit",
    "办理时限": "Handling deadline",
    "办理时限单位": "Handling deadline unit",
    "分类时限": "Category deadline",
    "描述": "Description",
    "所在区划": "Region",
    "纬度": "Latitude",
    "经度": "Longitude",
    "附加信息": "Extra information",
    "发生时间": "Occurred",
    "受理时间": "Accepted",
    "派遣时间": "Dispatched",
    "反馈时间": "Resolved",
    "办结时间": "Closed",
    "反映人电话": "Reporter's phone",
    "签收期限": "Acknowledge by",
    "时限状态": "Deadline status",
    "就地解决": "Resolved on site",
    "主事件": "Master event",
    "关联事件": "Related events",
    "长效跟踪": "Tracking",
    "部门": "Department",
    "角色": "Role",
    "签收时间": "Acknowledged",
    "处置结果": "Result",
    "派遣": "Dispatch",
    "原状态": "From status",
    "新状态": "To status",
    "操作角色": "Actor's role",
    "延期工作日": "Extension (working days)",
    "理由": "Reason",
    "延期申请": "Extension request",
    "参与方": "Participants",
    "会商结论": "Conclusion",
    "会商记录": "Consultation record",
    "拍摄时间": "Taken at",
    "拍摄纬度": "Latitude taken",
    "拍摄经度": "Longitude taken",
    "附件照片": "Photo",
    "间隔天数": "Interval (days)",
    "复查日期": "Re-check date",
    "复查人": "Re-checked by",
    "复查情况": "Re-check findings",
    "跟踪复查": "Tracking re-check",
    # routing: dispatch rules
    "协办部门不能与主办部门相同": "An assisting department cannot be the lead department",
    "协办部门": "Assisting departments",
    "适用区划": "Applies to region",
    "优先级": "Priority",
    "分流规则": "Dispatch rule",
    # sla: deadline jobs
    "自动提级": "Automatic escalation",
    "复查提醒": "Re-check reminder",
    "时限巡检": "Deadline sweep",
}
