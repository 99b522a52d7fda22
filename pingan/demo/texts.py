"""Short Chinese texts for generated events, as grid workers and citizens write them.

Templates per leaf category (title, description) with places, objects and numbers filled
in; a share gets a colloquial ending or a common typo, as real notes have.
"""

from __future__ import annotations

import random

ROADS = [
    "海滨路",
    "武原路",
    "枣园路",
    "新桥路",
    "向阳路",
    "城北路",
    "盐湖路",
    "长安路",
    "朝阳路",
    "秦山大道",
    "滨海大道",
    "文昌路",
    "百尺路",
    "勤俭路",
    "华星路",
    "通元大道",
    "沈荡大街",
    "澉浦老街",
]
SHOPS = [
    "小饭店",
    "烧烤店",
    "水果店",
    "五金店",
    "棋牌室",
    "理发店",
    "超市",
    "早餐店",
    "麻辣烫店",
    "快递驿站",
    "汽修店",
    "小作坊",
]
COMPANIES = [
    "纺织厂",
    "紧固件厂",
    "家具厂",
    "五金加工厂",
    "电子厂",
    "食品厂",
    "塑料制品厂",
    "机械厂",
    "建筑工地",
    "物流公司",
]
ESTATES = [
    "海悦花园",
    "枣园小区",
    "新桥公寓",
    "城东新村",
    "向阳小区",
    "锦绣华庭",
    "滨海嘉园",
    "长安小区",
    "金海湾",
    "春晖苑",
]
SURNAME = "张王李陈沈朱徐吴顾周钱陆杨黄金褚姚许马胡"

# (title, description) templates by leaf code.
TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "dispute.neighbour": [
        (
            "{estate}邻里漏水纠纷",
            "{estate}{b}幢{r}室卫生间漏水到楼下，两户多次协商未果，楼下住户情绪激动，请求调解",
        ),
        (
            "{village}宅基地边界争执",
            "{village}{g}组{s}某与邻居因院墙边界发生争执，差点动手，需要上门调解",
        ),
        ("{estate}楼道堆物引发争吵", "{estate}{b}幢楼道堆放杂物，邻居之间为此吵架，请社区协调处理"),
        ("{village}排水沟纠纷", "{village}{g}组两户因排水沟改道问题起纠纷，下雨天水排到对方院子"),
    ],
    "dispute.family": [
        (
            "{village}家庭矛盾",
            "{village}{g}组{s}某夫妻因琐事吵架，女方回娘家，双方老人也介入，需调解",
        ),
        ("赡养纠纷", "{village}{s}某老人反映子女不履行赡养义务，三个儿子互相推诿，请求帮助"),
        ("{estate}家庭纠纷", "{estate}{b}幢住户家中经常吵闹，邻居反映可能存在家暴情况，请关注"),
    ],
    "dispute.labour": [
        ("{company}拖欠工资", "{company}拖欠{n}名工人{m}个月工资，工人聚集在厂门口讨要，情绪较大"),
        ("工地欠薪", "{road}附近建筑工地包工头欠{n}名农民工工资约{k}万元，工人要求尽快结清"),
        (
            "{company}欠薪",
            "{s}某等{n}人反映{company}年底前工资一直没发，老板电话打不通，要求帮忙讨薪",
        ),
    ],
    "dispute.land": [
        ("{village}土地承包纠纷", "{village}{g}组两户因承包地界桩被移动发生纠纷，双方各执一词"),
        ("{village}林地权属争议", "{village}山脚一块林地两个组都说是自己的，砍树时起了冲突"),
    ],
    "dispute.property": [
        (
            "{estate}物业费纠纷",
            "{estate}业主因电梯长期故障拒交物业费，物业公司停了门禁卡，双方矛盾激化",
        ),
        ("{estate}停车收费争议", "{estate}物业上调停车费，部分业主不认可，在小区门口聚集"),
    ],
    "dispute.medical": [
        ("医疗纠纷", "{s}某家属对{village}卫生院诊疗结果不满，在医院门口拉横幅，需要协调"),
    ],
    "dispute.traffic": [
        ("{road}交通事故赔偿纠纷", "{road}与{road2}路口电动车与小轿车刮擦，双方对赔偿金额谈不拢"),
        ("交通事故后续纠纷", "{village}{s}某被货车撞伤住院，对方只垫付了部分医药费，家属要求协调"),
    ],
    "dispute.demolition": [
        ("{village}征迁补偿诉求", "{village}{g}组{n}户对征迁补偿标准有意见，要求与指挥部面谈"),
    ],
    "dispute.consumer": [
        ("预付卡退费纠纷", "{road}一家健身房突然关门，会员预付卡无法退费，涉及{n}人左右"),
        ("{shop}消费纠纷", "群众反映在{road}{shop}消费后发现价格与标价不符，商家拒绝退款"),
    ],
    "dispute.debt": [
        ("借款纠纷", "{village}{s}某反映借给同村人{k}万元到期不还，对方避而不见，请求调解"),
    ],
    "hazard.fire": [
        ("{estate}楼道堆物", "{estate}{b}幢楼道堆放杂物，堵塞消防通道，请求清理"),
        ("电动车楼道充电", "{estate}{b}幢一楼楼道有电动车飞线充电，存在火灾隐患"),
        ("{road}{shop}消防隐患", "{road}{shop}灭火器过期，后门被货物堵死，人员住在店内"),
        ("出租房消防隐患", "{village}{g}组出租房住了十几个人，私拉电线，没有烟感和灭火器"),
    ],
    "hazard.production": [
        ("{company}安全生产隐患", "{company}车间设备防护罩缺失，工人未戴防护用品作业"),
        ("{company}违规作业", "{company}在无证情况下进行电焊作业，周边堆有易燃物"),
    ],
    "hazard.road": [
        ("{road}路灯不亮", "{road}靠近{village}一段路灯坏了好几盏，晚上很黑，容易出事故"),
        ("{road}路面塌陷", "{road}与{road2}交叉口路面塌陷一个坑，电动车经过很危险"),
        ("{village}路口缺少警示标志", "{village}村口弯道没有减速带和警示牌，最近发生过两次碰擦"),
    ],
    "hazard.chemicals": [
        ("危化品违规存放", "{company}院内露天堆放油漆桶和稀释剂，旁边就是宿舍"),
    ],
    "hazard.building": [
        ("{village}危旧房", "{village}{g}组一处老房墙体开裂严重，仍有老人居住，存在倒塌风险"),
        ("{estate}外墙脱落", "{estate}{b}幢外墙瓷砖脱落，下面是人行道，请尽快处理"),
    ],
    "hazard.gas": [
        ("{shop}燃气隐患", "{road}{shop}使用的液化气钢瓶没有检验标志，软管老化"),
        ("燃气泄漏气味", "{estate}{b}幢单元楼里闻到煤气味，住户担心泄漏"),
    ],
    "hazard.flood": [
        ("{village}河道堤岸隐患", "{village}{g}组河道堤岸有一段塌方，台风季节怕出问题"),
        ("{road}积水", "{road}下雨后严重积水，排水口被堵，车辆熄火"),
        ("防台广告牌加固", "{road}沿街几块大型广告牌松动，台风要来了，需要加固或拆除"),
    ],
    "hazard.power": [
        ("电线杆倾斜", "{village}{g}组一根电线杆倾斜，电线离地面很低"),
    ],
    "public_order.disorder": [
        ("{road}深夜喧哗", "{road}{shop}深夜有人喝酒吵闹，影响周边居民休息"),
        ("{estate}可疑人员", "{estate}最近有陌生人挨家挨户推销，形迹可疑，居民担心安全"),
    ],
    "public_order.gambling": [
        ("{village}疑似聚众赌博", "{village}{g}组一处民房晚上聚集较多人员，疑似赌博"),
    ],
    "public_order.fraud": [
        ("电诈线索", "{village}{s}某老人接到冒充公检法电话，要求转账，已被家人劝阻，请关注"),
        ("疑似诈骗", "{estate}有人以投资理财名义拉老年人入群，已有人转钱"),
    ],
    "public_order.key_person": [
        ("重点人员情况变动", "{village}辖区一名精神障碍患者近期情绪不稳定，家属管控困难"),
    ],
    "public_order.gathering": [
        ("群体聚集苗头", "{company}{n}余名员工因工资问题在厂门口聚集，有进一步上访苗头"),
    ],
    "environment.water": [
        ("{village}河道污染", "{village}{g}组河道水发黑发臭，怀疑上游有企业偷排"),
        ("河面漂浮物", "{road}旁河道有大量漂浮垃圾和死鱼"),
    ],
    "environment.air": [
        ("{company}废气扰民", "{company}晚上排放刺鼻气味，周边居民晚上不敢开窗"),
    ],
    "environment.noise": [
        ("{road}施工噪声", "{road}工地晚上十点以后还在施工，噪音很大，居民休息不了"),
        ("广场舞噪音", "{estate}广场舞音响声音太大，影响周边居民"),
    ],
    "environment.waste": [
        ("建筑垃圾乱倒", "{village}{g}组路边被人倾倒大量建筑垃圾"),
        ("{road}垃圾堆积", "{road}垃圾桶满了几天没人清运，气味很大"),
    ],
    "environment.burning": [
        ("{village}焚烧秸秆", "{village}{g}组田里有人焚烧秸秆，浓烟很大"),
        ("露天焚烧垃圾", "{village}村口有人露天焚烧垃圾"),
    ],
    "food_drug.food": [
        ("{shop}卫生差", "{road}{shop}后厨卫生很差，有老鼠，从业人员没有健康证"),
        ("学校周边三无食品", "{village}小学门口小店卖三无辣条等零食"),
    ],
    "food_drug.unlicensed": [
        ("{road}无证经营", "{road}一家{shop}无证经营，油烟直排"),
    ],
    "food_drug.drug": [
        ("药店违规销售", "{road}一家药店无处方销售处方药"),
    ],
    "city_management.stalls": [
        ("{road}占道经营", "{road}{shop}门口占道摆摊，影响行人通行"),
        ("流动摊贩", "{estate}门口早上有流动摊贩占道卖菜，堵塞交通"),
    ],
    "city_management.illegal_building": [
        ("{village}违章搭建", "{village}{g}组有户人家在自家院子里违规加盖二层"),
        ("{estate}楼顶违建", "{estate}{b}幢顶楼住户在屋顶搭建阳光房"),
    ],
    "city_management.parking": [
        ("{road}乱停车", "{road}人行道上车辆乱停，行人只能走机动车道"),
        ("占用消防车道停车", "{estate}消防车道长期被私家车占用"),
    ],
    "city_management.facilities": [
        ("{road}窨井盖缺失", "{road}一处窨井盖缺失，已临时放了石块，晚上很危险"),
        ("{estate}健身器材损坏", "{estate}健身器材损坏，有小孩玩耍，存在安全隐患"),
    ],
    "city_management.sanitation": [
        ("{village}卫生死角", "{village}{g}组河边有卫生死角，垃圾堆积"),
        ("{estate}绿化带垃圾", "{estate}绿化带里垃圾很多，很久没人打扫"),
    ],
    "city_management.advertising": [
        ("{road}违规招牌", "{road}{shop}招牌松动，有坠落危险"),
    ],
    "livelihood.utilities": [
        ("{estate}停水", "{estate}从早上开始停水，没有提前通知，请尽快恢复"),
        ("{village}频繁停电", "{village}{g}组这个月停电三四次，冰箱里东西都坏了"),
    ],
    "livelihood.assistance": [
        ("困难家庭求助", "{village}{g}组{s}某一家因病致贫，希望申请救助"),
    ],
    "livelihood.social_security": [
        ("社保缴费咨询", "{s}某咨询灵活就业人员社保缴费和医保报销问题"),
    ],
    "livelihood.schooling": [
        ("新居民子女入学", "新居民{s}某咨询孩子在{village}附近小学入学需要什么材料"),
    ],
    "livelihood.transit": [
        ("公交班次少", "{village}到县城的公交班次太少，老人看病不方便，希望增加班次"),
    ],
    "livelihood.elderly": [
        ("独居老人照护", "{village}{g}组独居老人{s}某腿脚不便，无人照顾，希望提供居家养老服务"),
    ],
}

ENDINGS = ["，请尽快处理", "，麻烦尽快处理下", "，希望相关部门处理", "。", "，急！", "，谢谢"]
TYPOS = [
    ("反映", "反应"),
    ("已经", "以经"),
    ("消防通道", "消防通到"),
    ("处理", "处里"),
    ("在", "再"),
]

RESULTS: dict[str, list[str]] = {
    "dispute": [
        "经{dept}组织双方调解，达成一致意见，已签订调解协议",
        "已上门调解，双方各让一步，矛盾化解",
        "经调解双方达成和解，后续由网格员跟踪回访",
    ],
    "hazard": [
        "已现场检查并责令整改，隐患已消除",
        "已督促责任人整改到位，现场复查合格",
        "已落实整改，并纳入日常巡查",
    ],
    "public_order": [
        "已出警处置，现场秩序恢复正常",
        "已核实情况并依法处理，加强该区域巡逻",
        "已落实管控措施，纳入重点关注",
    ],
    "environment": [
        "已现场调查，责令企业停产整改并立案查处",
        "已组织清理，现场环境恢复",
        "已约谈责任人，落实整改措施",
    ],
    "food_drug": [
        "已现场检查，责令停业整改，依法立案",
        "已下架问题商品，对经营者进行教育",
    ],
    "city_management": [
        "已现场劝导整改，恢复正常秩序",
        "已组织拆除/清理完毕",
        "已修复完成",
    ],
    "livelihood": [
        "已联系相关单位解决，已向群众解释答复",
        "已按政策办理，群众表示认可",
        "已恢复供应，并向群众说明原因",
    ],
}
ON_SITE_RESULTS = [
    "网格员现场劝导，已自行整改",
    "已现场协调处理完毕",
    "联系物业当场清理完毕",
    "当场调解，双方握手言和",
    "已现场处置，拍照留存",
]
REJECT_REASONS = [
    "经核实，不属于本中心受理范围，已告知当事人通过司法途径解决",
    "重复反映，已另案办理",
    "反映内容不实，现场核查未发现问题",
    "属于民事合同纠纷，已引导当事人向法院起诉",
]
RETURN_REASONS = [
    "该事项不属于本部门职责，建议派给{other}",
    "经现场核实，该地点不在本单位管辖范围",
    "职责交叉，请中心重新指定主办单位",
]
EXTEND_REASONS = [
    "涉及多方协调，需进一步调查取证",
    "需等待第三方鉴定结果",
    "整改工程量较大，需延长整改期限",
    "当事人外出，暂无法联系",
]
VERIFY_FAIL_NOTES = ["现场复查问题仍存在，请重新处置", "整改不到位，群众仍有意见"]
FOLLOW_UP_NOTES = {
    "satisfied": ["回访群众表示满意", "电话回访，群众满意", ""],
    "basically_satisfied": ["群众基本满意，希望加强后续管理", "基本满意"],
    "dissatisfied": ["群众对处理结果不满意，认为没有根本解决", "群众表示问题反复出现"],
}
REOPEN_NOTES = ["回访不满意，经研判需重新办理", "问题复发，重新交办"]
CONSULT_CONCLUSIONS = [
    "由主办单位牵头，协办单位配合，三日内拿出处置方案",
    "先行稳控，依法依规分类处置",
    "明确属地责任，镇街与部门联动处置",
]
SUPERVISE_NOTES = ["请加快办理进度，按期办结", "该事件群众关注度高，请重点督办"]
REMIND_NOTES = ["请尽快签收办理", "临近期限，请抓紧办理"]
ESCALATE_NOTES = ["涉及多个部门，镇级协调困难，提请县级统筹", "事态较复杂，提级处置"]


FIRMS = [
    "宏达",
    "恒丰",
    "华通",
    "新亚",
    "永盛",
    "金鑫",
    "盛达",
    "天宇",
    "利丰",
    "三星",
    "海通",
    "鼎盛",
    "嘉禾",
    "东方",
    "长城",
    "立新",
]


def values(rng: random.Random, village: str) -> dict[str, object]:
    """One set of plausible places, names and numbers for a report's placeholders."""
    roads = rng.sample(ROADS, 2)
    return dict(
        village=village,
        estate=rng.choice(ESTATES),
        road=roads[0],
        road2=roads[1],
        shop=rng.choice(SHOPS),
        company="海盐" + rng.choice(FIRMS) + rng.choice(COMPANIES),
        s=rng.choice(SURNAME),
        b=rng.randint(1, 32),
        r=rng.choice([101, 202, 301, 402, 502, 601, 1102]),
        g=rng.randint(1, 18),
        n=rng.choice([3, 5, 8, 12, 15, 20, 26, 40]),
        m=rng.randint(2, 6),
        k=rng.choice([2, 3, 5, 8, 12, 20, 35]),
        dept="属地司法所",
    )


def report_text(rng: random.Random, category_code: str, village: str) -> tuple[str, str]:
    """(title, description) for a new event of this leaf category in this village."""
    title, description = rng.choice(TEMPLATES[category_code])
    filled = values(rng, village)
    title = title.format(**filled)
    description = description.format(**filled)
    if rng.random() < 0.35:
        description += rng.choice(ENDINGS)
    if rng.random() < 0.12:
        wrong = [t for t in TYPOS if t[0] in description]
        if wrong:
            right, typo = rng.choice(wrong)
            description = description.replace(right, typo, 1)
    return title[:60], description


def pick(rng: random.Random, options: list[str], **values: str) -> str:
    text = rng.choice(options)
    return text.format(**values) if values else text
