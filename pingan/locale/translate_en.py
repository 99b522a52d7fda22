"""Fill English translations into pingan/locale/en/LC_MESSAGES/django.po.

From the repository root:

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=var --no-obsolete
    .venv/bin/python pingan/locale/translate_en.py
    .venv/bin/python manage.py compilemessages -l en --ignore=.venv

Keys are the Chinese msgids; a value is a string, or a pair (singular, plural). A msgid
with a msgctxt is keyed context + CONTEXT + msgid (CONTEXT is the character 0x04, as in a
compiled catalogue): the workflow's action names have the context "action". This file
holds the shell (navigation, sign-in, lists, workbench, inbox); the sibling modules
translate_en_<area>.py each hold an `EN` dict for one area and are merged in here (a msgid
given two different translations is an error). A filled entry loses its fuzzy flag.
Entries not listed anywhere keep their existing translation; `--check` prints the msgids
still untranslated or fuzzy and exits non-zero if there are any.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
# A msgid with a msgctxt is keyed "context\x04msgid", as in a compiled catalogue.
CONTEXT = "\x04"
PO = HERE / "en" / "LC_MESSAGES" / "django.po"

EN: dict[str, str | tuple[str, str]] = {
    # header, navigation, layout
    "平安": "Pingan",
    "平安·基层社会治理": "Pingan · Grassroots Governance",
    "基层社会治理": "Grassroots governance",
    "跳到正文": "Skip to content",
    "主导航": "Main navigation",
    "工作台": "Workbench",
    "事件查询": "Events",
    "只列出前 %(cap)s 件，请用筛选条件缩小范围": (
        "Only the first %(cap)s are listed; narrow the filters"
    ),
    "上报事件": "Report an event",
    "后台管理": "Administration",
    "消息": "Messages",
    "退出": "Sign out",
    # sign-in
    "登录": "Sign in",
    "登录平安系统": "Sign in to Pingan",
    "基层社会治理 · 网格化服务管理": "Grassroots governance · grid-based services",
    "用户名": "Username",
    "密码": "Password",
    "请填写用户名": "Please enter your username",
    "请填写密码": "Please enter your password",
    "用户名或密码错误": "Wrong username or password",
    "登录失败次数过多，该账号已暂时锁定，请 %(m)d 分钟后再试": (
        "Too many failed sign-ins: this account is locked for now. Try again in %(m)d minutes"
    ),
    "连续输错密码将暂时锁定账号。长时间未操作将自动退出登录。": (
        "Repeated wrong passwords lock the account for a while. "
        "Idle sessions are signed out automatically."
    ),
    # filters and lists
    "搜索": "Search",
    "编号、标题、描述或地址": "Code, title, description or address",
    "编号或关键词": "Code or keyword",
    "全部状态": "All statuses",
    "镇街": "Town",
    "全部来源": "All sources",
    "时限": "Deadline",
    "全部时限": "All deadlines",
    "主办/协办部门": "Lead/assisting department",
    "部门办理状态": "Department status",
    "全部": "All",
    "上报起": "Reported from",
    "上报止": "Reported to",
    "全部分类": "All categories",
    "全部区域": "All areas",
    "全部部门": "All departments",
    "查询": "Search",
    "清除条件": "Clear filters",
    "筛选": "Filter",
    "切换": "Switch",
    "全选": "Select all",
    "选择 %(code)s": "Select %(code)s",
    "编号": "Code",
    "标题": "Title",
    "分类": "Category",
    "区域": "Area",
    "状态": "Status",
    "来源": "Source",
    "上报时间": "Reported",
    "上报人": "Reporter",
    "主办部门": "Lead department",
    "办理期限": "Due",
    "受理中心": "Centre",
    "分页": "Pages",
    "上一页": "Previous",
    "下一页": "Next",
    "第 %(n)s / %(total)s 页，共 %(count)s 件": "Page %(n)s of %(total)s, %(count)s events",
    "共 %(counter)s 件": ("%(counter)s event", "%(counter)s events"),
    "没有符合条件的事件": "No events match",
    "不支持的取值：%(value)s": "unsupported value: %(value)s",
    # workbench
    "%(name)s，您好": "Hello, %(name)s",
    "待我核查": "Waiting for my verification",
    "反馈于": "resolved",
    "暂无待核查事件": "Nothing to verify",
    "我的上报": "My reports",
    "查看全部": "See all",
    "您还没有上报过事件": "You have not reported any events yet",
    "受理队列": "Intake queue",
    "中心": " centre",
    "全部（含下级）": "All (including lower centres)",
    "队列分类": "Queue stages",
    "待办分类": "Work stages",
    "已受理待派遣": "Accepted, to dispatch",
    "办理中": "In progress",
    "请先勾选要受理的事件": "Select the events to accept first",
    "已受理 %(n)s 件": ("Accepted %(n)s event", "Accepted %(n)s events"),
    "已受理 %(n)d 件": "Accepted %(n)d events",
    "%(n)s 件未受理：": ("%(n)s event not accepted:", "%(n)s events not accepted:"),
    "%(code)s 未受理：%(reason)s": "%(code)s not accepted: %(reason)s",
    "编号不正确": "not a valid id",
    "批量受理": "Accept selected",
    "勾选后一次受理多件；不能受理的会逐件说明原因。": (
        "Accept several at once; any that cannot be accepted are listed with the reason."
    ),
    "队列中没有事件": "The queue is empty",
    "%(dept)s · 部门待办": "%(dept)s · department work",
    "暂无事件": "No events",
    "辖区概览": "Overview",
    "%(d)s 月": "%(d)s",
    "本月上报": "Reported this month",
    "在办": "Open",
    "超期": "Overdue",
    "本月办结": "Closed this month",
    "办结率": "Closure rate",
    "本月受理事件中已办结的比例": "Share of this month's accepted events now closed",
    "超期事件": "Overdue events",
    "没有超期事件": "No overdue events",
    "系统管理": "System administration",
    "用户、角色、区划、部门、事件分类与时限等配置在后台管理中维护；"
    "安全策略与审计日志按三员分立各自查看。": (
        "Users, roles, regions, departments, categories and deadlines are configured in "
        "the administration site; security policy and the audit log are each kept by their "
        "own administrator."
    ),
    "进入后台管理": "Open administration",
    "您的账号尚未分配角色，请联系系统管理员。": (
        "Your account has no role yet. Please contact the system administrator."
    ),
    # inbox
    "未读": "Unread",
    "全部标为已读": "Mark all read",
    "查看事件": "Open event",
    "标为已读": "Mark read",
    "暂无消息": "No messages",
    # choices shown on these pages
    "待受理": "Reported",
    "已受理": "Accepted",
    "已派遣": "Dispatched",
    "处置中": "In progress",
    "待核查": "To verify",
    "已办结": "Closed",
    "不予受理": "Rejected",
    "已合并": "Merged",
    "网格巡查": "Grid patrol",
    "12345热线": "12345 hotline",
    "110转办": "110 referral",
    "网络舆情": "Online opinion",
    "群众自报": "Citizen report",
    "来访": "Walk-in",
    "督查发现": "Inspection",
    "其他": "Other",
    "一般": "Normal",
    "紧急": "Urgent",
    "特急": "Critical",
    "正常": "On time",
    "黄灯": "Warning",
    "红灯": "Overdue",
    "主办": "Lead",
    "协办": "Assisting",
    "待签收": "To acknowledge",
    "已反馈": "Resolved",
    "已退回": "Returned",
    "已撤销": "Cancelled",
    "网格员": "Grid worker",
    "网格长": "Grid leader",
    "受理员": "Dispatcher",
    "部门处置人员": "Department handler",
    "领导": "Leader",
    "系统管理员": "System administrator",
    "安全管理员": "Security administrator",
    "审计管理员": "Audit administrator",
}


def _merge_parts() -> None:
    """Merge the `EN` dict of each translate_en_<area>.py beside this file into EN."""
    for path in sorted(HERE.glob("translate_en_*.py")):
        spec = importlib.util.spec_from_file_location(f"_pingan_{path.stem}", path)
        if spec is None or spec.loader is None:
            raise ImportError(path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        part: dict[str, str | tuple[str, str]] = module.EN
        for msgid, value in part.items():
            if msgid in EN and EN[msgid] != value:
                raise ValueError(f"{path.name}: {msgid!r} translated twice: {EN[msgid]!r}")
            EN[msgid] = value


_merge_parts()


def _unquote(lines: list[str]) -> str:
    out = []
    for line in lines:
        m = re.match(r'^(?:msgctxt|msgid(?:_plural)?|msgstr(?:\[\d\])?)?\s*"(.*)"$', line)
        if m:
            out.append(m.group(1))
    return "".join(out).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unfuzzy(line: str) -> str:
    if not line.startswith("#,"):
        return line
    flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
    return "#, " + ", ".join(flags) if flags else "#,"


def entries(text: str) -> list[tuple[str, str | None, list[str], bool]]:
    """Each entry of `text` (a .po file) but the header: msgid (context + CONTEXT + msgid
    if it has a msgctxt), msgid_plural or None, the msgstr (or msgstr[n]) strings, and whether
    it is marked fuzzy."""
    out = []
    for block in text.rstrip("\n").split("\n\n"):
        lines = block.split("\n")
        parts: dict[str, list[str]] = {}
        key = ""
        for line in lines:
            m = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) ", line)
            if m:
                key = m.group(1)
                parts[key] = [line]
            elif key and line.startswith('"'):
                parts[key].append(line)
            else:
                key = ""
        msgid = _unquote(parts.get("msgid", []))
        if not msgid:
            continue
        if "msgctxt" in parts:
            msgid = _unquote(parts["msgctxt"]) + CONTEXT + msgid
        plural = _unquote(parts["msgid_plural"]) if "msgid_plural" in parts else None
        strs = [_unquote(v) for k, v in parts.items() if k.startswith("msgstr")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        out.append((msgid, plural, strs, fuzzy))
    return out


def missing(text: str) -> list[str]:
    """The msgids of `text` (a .po file) that have no translation or only a fuzzy one."""
    return [msgid for msgid, _, strs, fuzzy in entries(text) if fuzzy or "" in strs]


def fill(text: str) -> tuple[str, int]:
    blocks = text.rstrip("\n").split("\n\n")
    done = 0
    for i, block in enumerate(blocks):
        lines = block.split("\n")
        start = next((k for k, line in enumerate(lines) if line.startswith("msgid ")), None)
        if start is None:
            continue
        end = next(
            k
            for k in range(start + 1, len(lines) + 1)
            if k == len(lines) or not lines[k].startswith('"')
        )
        msgid = _unquote(lines[start:end])
        context = [line for line in lines[:start] if line.startswith(("msgctxt ", '"'))]
        if msgid and context:
            msgid = _unquote(context) + CONTEXT + msgid
        if not msgid or msgid not in EN:
            continue
        value = EN[msgid]
        head = [line for line in lines if not line.startswith("msgstr")]
        # Drop continuation lines that belonged to msgstr entries.
        kept: list[str] = []
        in_str = False
        for line in lines:
            if line.startswith("msgstr"):
                in_str = True
                continue
            if in_str and line.startswith('"'):
                continue
            in_str = False
            kept.append(line)
        head = kept
        if "msgid_plural" in block:
            one, many = value if isinstance(value, tuple) else (value, value)
            head += [f"msgstr[0] {_quote(one)}", f"msgstr[1] {_quote(many)}"]
        else:
            head.append(f"msgstr {_quote(value if isinstance(value, str) else value[0])}")
        head = [_unfuzzy(line) for line in head if not line.startswith("#| ")]
        head = [line for line in head if line != "#,"]
        blocks[i] = "\n".join(head)
        done += 1
    return "\n\n".join(blocks) + "\n", done


if __name__ == "__main__":
    if "--check" in sys.argv:
        left = missing(PO.read_text(encoding="utf-8"))
        for msgid in left:
            print(msgid)
        print(f"{len(left)} msgids untranslated or fuzzy", file=sys.stderr)
        sys.exit(1 if left else 0)
    new, n = fill(PO.read_text(encoding="utf-8"))
    PO.write_text(new, encoding="utf-8")
    print(f"filled {n} entries")
