"""The words of the phone app (static/field/app.js and its modules, static/field/<name>.js),
for the shell to embed translated.

The app looks each Chinese text up with gettext(text, values, context) in the JSON the
shell embeds (`catalogue()`), so every text it passes there is listed here, and only those:
a test (pingan/field/tests/test_js_text.py) compares this list with the scripts. {name}
placeholders are filled in by the script.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop, pgettext

from pingan.core.i18n import pgettext_noop

TEXT: tuple[str, ...] = (
    gettext_noop("{m}月{d}日 {time}"),
    gettext_noop("错误 {status}"),
    gettext_noop("所属上报未能发送"),
    gettext_noop("登录已过期，请重新登录；待发送的内容已保存在手机上。"),
    gettext_noop("同步出错：{e}"),
    gettext_noop("从未"),
    gettext_noop("在线"),
    gettext_noop("离线"),
    gettext_noop("{n} 条内容发送失败，请在“我的”中查看。"),
    gettext_noop("核查通过"),
    gettext_noop("核查不通过"),
    gettext_noop("不通过的原因"),
    gettext_noop("满意"),
    gettext_noop("基本满意"),
    gettext_noop("不满意"),
    gettext_noop("群众的意见"),
    gettext_noop("未复发"),
    gettext_noop("已复发"),
    gettext_noop("复发情况"),
    gettext_noop("填写核实情况"),
    gettext_noop("现场核实情况"),
    gettext_noop("今天没有待办任务"),
    gettext_noop("已超期"),
    gettext_noop("期限"),
    gettext_noop("要求："),
    gettext_noop("此设备不支持定位"),
    gettext_noop("（精度 ±{m} 米）"),
    gettext_noop("无法定位：{why}"),
    gettext_noop("未授权定位"),
    gettext_noop("信号弱，请到开阔处"),
    gettext_noop("所在网格：{name}"),
    gettext_noop("不在本人网格内（离线，提交后由系统定位）"),
    gettext_noop("所在网格：{name}（非本人网格）"),
    gettext_noop("该位置不在任何网格内"),
    gettext_noop("请选择大类"),
    gettext_noop("请先选择大类"),
    gettext_noop("请选择小类"),
    gettext_noop("请选择"),
    gettext_noop("照片压缩失败"),
    gettext_noop("无法读取照片"),
    gettext_noop("照片"),
    gettext_noop("请选择事件分类"),
    gettext_noop("请填写事件描述"),
    gettext_noop("请填写{label}"),
    gettext_noop("请填写处置结果"),
    gettext_noop("尚未定位，请稍候"),
    gettext_noop("保存失败：{e}"),
    gettext_noop("发送失败：{e}"),
    gettext_noop("待发送"),
    gettext_noop("删除"),
    gettext_noop("就地解决待发送"),
    gettext_noop("还没有上报"),
    gettext_noop("处置结果"),
    gettext_noop("删除这条未发送的内容？"),
    gettext_noop("上报"),
    gettext_noop("任务处理"),
    gettext_noop("开始巡查"),
    gettext_noop("巡查轨迹"),
    gettext_noop("走访记录"),
    gettext_noop("结束巡查"),
    gettext_noop("巡查中，开始于 {time}；已记录 {n} 个位置点。"),
    gettext_noop("上次巡查：里程 {km} 公里，用时 {min} 分钟，覆盖 {grids} 个网格。"),
    gettext_noop("未在巡查。开始后沿途位置会自动记录，离线也不丢失。"),
    gettext_noop("请填写走访对象"),
    gettext_noop("还有 {n} 条内容未发送，退出将从手机上清除。确定退出？"),
    gettext_noop("本机还保存着其他账号未发送的内容，登录该账号后才会发送。"),
    gettext_noop("服务器暂时无法处理（{status}），稍后自动重试"),
    gettext_noop("已提交，编号 {code}"),
    gettext_noop("查看"),
    gettext_noop("已保存，联网后自动发送"),
    gettext_noop("关闭"),
    gettext_noop("已提交"),
    gettext_noop("发送中"),
    gettext_noop("重试"),
    gettext_noop("正在刷新…"),
    gettext_noop("刷新"),
    # 就地调解 on the report form
    gettext_noop("就地调解"),
    gettext_noop("当事人类型"),
    gettext_noop("申请人"),
    gettext_noop("被申请人"),
    gettext_noop("姓名或名称"),
    gettext_noop("电话"),
    gettext_noop("请填写当事人（至少一名申请人和一名被申请人）"),
    gettext_noop("调解不成原因"),
    gettext_noop("协议内容"),
    # visits on registry records (the patrol's visit form and its visit tasks)
    gettext_noop("见面走访"),
    gettext_noop("电话联系"),
    gettext_noop("未见到本人"),
    gettext_noop("发现异常"),
    gettext_noop("在住"),
    gettext_noop("已迁出"),
    gettext_noop("合格"),
    gettext_noop("存在隐患"),
    gettext_noop("不涉及"),
    gettext_noop("走访任务"),
    gettext_noop("应走访日期"),
    gettext_noop("走访"),
    gettext_noop("请先开始巡查"),
    gettext_noop("身份证尾号 {n}"),
    gettext_noop("本人网格内没有找到"),
    gettext_noop("走访对象：{label}"),
    gettext_noop("走访情况"),
    gettext_noop("同时填写安全检查"),
    gettext_noop("隐患情况"),
    gettext_noop("实名登记落实"),
    gettext_noop("请选择走访对象"),
    # text: inspect.js
    # text: survey.js
)
# (context, text): app.js passes the context as its third argument.
CONTEXT_TEXT: tuple[tuple[str, str], ...] = (("action", pgettext_noop("action", "就地解决")),)


def catalogue() -> dict[str, str]:
    """Each text of app.js and its translation in the active language (context texts keyed
    context + "\\x04" + text, as app.js looks them up)."""
    out = {s: gettext(s) for s in TEXT}
    out.update({f"{c}\x04{s}": pgettext(c, s) for c, s in CONTEXT_TEXT})
    return out
