"""Texts of the demo county's mediation cases: dispute facts, agreements, reasons, session
records (demo data, not interface text)."""

from __future__ import annotations

# The dispute kind of an event's dispute category (`dispute.<leaf>`).
KIND_OF_CATEGORY = {
    "dispute.neighbour": "neighbour",
    "dispute.family": "marriage_family",
    "dispute.labour": "labour",
    "dispute.land": "land",
    "dispute.property": "property",
    "dispute.medical": "medical",
    "dispute.traffic": "traffic",
    "dispute.demolition": "other",
    "dispute.consumer": "contract",
    "dispute.debt": "contract",
}

# Walk-in and hotline cases by dispute kind (weights).
KIND_WEIGHTS = {
    "neighbour": 30,
    "marriage_family": 18,
    "contract": 12,
    "damages": 10,
    "labour": 9,
    "property": 7,
    "land": 5,
    "traffic": 6,
    "medical": 1,
    "other": 2,
}

SUMMARIES = {
    "neighbour": [
        "{place}两户因房屋滴水、排水沟走向发生争执，多次口角。",
        "{place}村民因宅基地边界围墙砌筑问题与邻居产生纠纷。",
        "{place}楼上住户装修噪音、漏水影响楼下住户，双方协商未果。",
        "{place}村民在公共通道堆放杂物，邻居通行受阻引发争吵。",
    ],
    "marriage_family": [
        "{place}兄弟三人因老人赡养费分担问题产生矛盾。",
        "{place}夫妻因家庭琐事长期不和，一方要求调解家庭财产分割。",
        "{place}老人去世后子女对房屋继承份额存在争议。",
    ],
    "contract": [
        "{place}村民与装修队因工程款结算发生纠纷。",
        "{place}个人之间借款到期未还，出借人要求归还本金及利息。",
        "{place}农户与收购商因农产品货款支付产生争议。",
    ],
    "damages": [
        "{place}村民饲养的犬只咬伤邻居，双方就医疗费赔偿发生争议。",
        "{place}施工作业损坏相邻房屋墙体，房主要求赔偿。",
    ],
    "labour": [
        "{place}某企业拖欠{n}名务工人员工资，务工人员要求支付。",
        "{place}员工在工作中受伤，与企业就工伤待遇产生争议。",
        "{place}员工离职后企业未结清工资及经济补偿。",
    ],
    "property": [
        "{place}小区业主与物业公司因物业费收取及服务质量发生纠纷。",
        "{place}小区地下车库漏水，业主与物业就维修责任产生争议。",
    ],
    "land": [
        "{place}两户村民因承包地界址不清发生争执。",
        "{place}土地流转租金支付问题引发承包户与经营户纠纷。",
    ],
    "traffic": [
        "{place}路口发生两车剐蹭事故，双方就损失赔偿协商未果。",
        "{place}电动自行车与行人相撞致行人受伤，双方就医疗费用产生争议。",
    ],
    "medical": [
        "患者在县内医疗机构治疗后出现并发症，家属对诊疗过程提出异议。",
        "患者家属认为医院护理不当，要求医院承担责任并赔偿。",
    ],
    "other": [
        "{place}村民与经营户因店招遮挡门面发生纠纷。",
        "{place}征迁补偿款分配问题引发家庭成员之间的矛盾。",
    ],
}

TERMS = [
    "双方自愿达成协议：被申请人于协议签订之日起{days}日内一次性支付申请人{amount}元，"
    "双方就此事再无其他争议。",
    "双方同意：被申请人在{days}日内恢复原状并承担相关费用，申请人不再追究。",
    "经调解，双方相互谅解，被申请人当场向申请人赔礼道歉并赔偿损失{amount}元。",
    "双方协商一致：按约定比例分担费用，于{days}日内付清，今后互谅互让、和睦相处。",
]

FAILURE_REASONS = [
    "双方对赔偿金额分歧较大，经多次调解仍未达成一致。",
    "被申请人拒绝调解，不同意协商解决。",
    "申请人坚持通过诉讼途径解决。",
    "争议涉及事实需专业鉴定，双方未能就鉴定结果达成共识。",
]

WITHDRAWAL_REASONS = [
    "双方已自行和解，申请人申请撤回。",
    "申请人决定暂不调解，申请撤回。",
]

REJECT_REASONS = [
    "该纠纷已由人民法院受理，依法不予受理。",
    "不属于人民调解受理范围，已引导当事人向有关部门反映。",
]

SESSION_RECORDS = [
    "分别听取双方陈述，核实事实，讲解相关法律规定，双方情绪趋于平稳。",
    "组织双方面对面协商，释法明理，双方就主要分歧点交换了意见。",
    "邀请村（社区）干部、乡贤参与调解，双方初步同意协商方案。",
    "实地查看现场，固定相关证据，约定下次调解时间。",
]

SESSION_PLACES = ["调解室", "村（社区）调解室", "当事人家中", "纠纷现场", "金牌调解室"]

ORGANISATIONS = {
    "labour": ["海盐{town}精密机械有限公司", "海盐{town}纺织有限公司", "海盐{town}建筑工程队"],
    "property": ["海盐{town}物业服务有限公司"],
    "medical": ["海盐县人民医院", "海盐县中医院", "{town}社区卫生服务中心"],
    "traffic": ["某财产保险股份有限公司海盐支公司"],
}

COURT = "海盐县人民法院"
