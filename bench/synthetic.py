"""A generator of realistic Chinese listings for benchmarks (deterministic for a seed)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from portal.reference.vocab import get_vocabularies

PLACES = [
    "醴陵",
    "浏阳",
    "株洲",
    "湘潭",
    "长沙",
    "岳阳",
    "衡阳",
    "郴州",
    "娄底",
    "常德",
    "益阳",
    "怀化",
]
SUBJECTS = {
    "construction_machinery": ["挖掘机", "混凝土泵车", "起重机", "盾构机", "装载机"],
    "rail_transit": ["转向架", "动车组", "牵引电机", "车体焊接", "轨道巡检"],
    "ceramics": ["日用瓷", "釉面", "窑炉", "陶瓷坯体", "电瓷"],
    "fireworks": ["烟花仓库", "药物混配", "引线生产", "爆竹装药", "危化品运输"],
    "injection_molding": ["注塑机", "模具", "塑件外观", "料筒温度", "注塑车间"],
    "aero_engine": ["航空发动机叶片", "涡轮盘", "燃烧室", "试车台", "精密铸造"],
    "steel": ["天车", "高炉", "连铸", "轧钢", "炼钢转炉"],
    "nonferrous": ["硬质合金", "电解铝", "铜冶炼", "锌冶炼", "稀有金属"],
    "mining": ["井下", "矿卡", "尾矿库", "选矿厂", "采掘面"],
    "petrochemical": ["炼化装置", "储罐区", "管廊", "乙烯装置", "化工园区"],
    "power": ["变电站", "输电线路", "配电网", "光伏电站", "水电站"],
    "ports_logistics": ["岸桥", "场桥", "集装箱码头", "龙门吊", "仓储分拣"],
    "transport": ["高速公路", "公交车", "路口信号", "隧道", "收费站"],
    "aviation": ["机场", "行李分拣", "机坪", "航站楼", "飞机维修"],
    "automotive": ["制动钳", "焊装线", "涂装车间", "总装线", "零部件仓库"],
    "electronics": ["贴片线", "电路板", "显示面板", "芯片封装", "电子装配"],
    "healthcare": ["急救车", "手术室", "远程会诊", "病房", "影像科"],
    "education": ["课堂", "实训室", "校园安防", "远程教学", "考场"],
    "agriculture": ["大棚", "茶园", "水稻田", "养殖场", "果园"],
    "water": ["水库", "堤防", "泵站", "水质监测", "灌区"],
    "culture_media": ["演播室", "直播", "超高清制作", "转播车", "虚拟拍摄"],
    "tourism": ["景区", "博物馆", "游客中心", "古镇", "索道"],
    "smart_city": ["社区网格", "城管", "消防", "路灯", "停车场"],
    "general_manufacturing": ["电线电缆", "包装线", "机加工", "仓储", "质检工位"],
}
VERBS = ["改造", "升级", "建设", "联网", "智能化", "数字化"]
PAINS = [
    "人工巡检效率低，夜间容易漏检",
    "设备故障只能事后处理，停机损失大",
    "现场环境高温粉尘，工人作业风险高",
    "有线网络布线困难，设备经常移动",
    "质检依赖老师傅经验，标准不统一",
    "生产数据分散在各台设备里，无法追溯",
]
RESULTS = ["效率提升约三成", "质检漏检率明显下降", "减少现场值守人员", "停机时间缩短", "能耗下降"]


@dataclass
class Listing:
    id: int
    title: str
    body: str
    industry: str
    industries: list[str]
    scenarios: list[str]
    capabilities: list[str]
    regions: list[str]
    price_min: float
    price_max: float


def listings(count: int, *, seed: int = 7) -> Iterator[Listing]:
    rng = random.Random(seed)
    vocab = get_vocabularies()
    industries = list(SUBJECTS)
    scenarios = vocab.codes("scenario")
    capabilities = vocab.codes("capability")
    cities = vocab.codes("city")
    for i in range(1, count + 1):
        industry = rng.choice(industries)
        subject = rng.choice(SUBJECTS[industry])
        chosen = rng.sample(scenarios, 2)
        labels = [vocab.label("scenario", s) for s in chosen]
        place = rng.choice(PLACES)
        title = f"{place}{subject}{labels[0]}{rng.choice(VERBS)}方案"
        body = (
            f"面向{vocab.label('industry', industry)}企业的{subject}场景。{rng.choice(PAINS)}。"
            f"方案采用5G{rng.choice(['专网', '虚拟专网', '网络切片', '边缘计算'])}，"
            f"结合{labels[1]}，部署周期约{rng.randint(2, 12)}周，已在{rng.choice(PLACES)}落地，"
            f"{rng.choice(RESULTS)}。"
        )
        regions = rng.choice([["hunan"], ["national"], rng.sample(cities, rng.randint(1, 3))])
        low = float(rng.randint(5, 300))
        yield Listing(
            id=i,
            title=title,
            body=body,
            industry=industry,
            industries=[industry] if rng.random() < 0.85 else [],
            scenarios=chosen,
            capabilities=rng.sample(capabilities, rng.randint(1, 4)),
            regions=regions,
            price_min=low,
            price_max=low + rng.randint(10, 500),
        )
