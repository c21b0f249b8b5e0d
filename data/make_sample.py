"""Generate the shipped sample study: D公司 (a seller of smart blackboards) CRM survey, 2018 and 2019.

Modelled on seed 000 (D company surveys its partner customers and has its employees self-assess the
company's CRM on the IDIC dimensions plus CRM-system use). Run ``python data/make_sample.py`` to
rebuild every file in ``data/sample/`` byte-for-byte from the fixed seed
(the test suite checks that).

Files written (each imitates a real export):
- ``customers_2019.xlsx``, ``customers_2018.xlsx``: 问卷星 "按选项文本下载" (answer-text) Excel
  exports: metadata columns 序号, 提交答卷时间, 所用时间 (``136秒``), 来源, 来源详情, 来自IP
  (``183.192.16.69(河北-石家庄)``), question headers ``5、...：``, matrix blocks whose first column is
  ``N、question(矩阵单选题 *必答)—row`` followed by columns named only by their row label, answers as
  label texts (非常同意...), ``(跳过)`` for questions a respondent skipped.
- ``employees_2019.csv``, ``employees_2018.csv``: the employees' self-assessment, typed into Excel by
  HR and saved as CSV in GB18030 (what Chinese Excel writes): short Chinese headers, codes 1-5.
- ``study.yaml``: the study file tying them together.

The data come from a latent-factor model (one factor per dimension, correlated), so the scales are
reliable. What the analyses should find, by construction:
- customers rate 客户识别, 客户互动 and 客户定制 clearly lower than employees do (the company
  overrates itself there, as seed 000 concludes); 客户区分 a little lower; CRM系统 about equal;
- customization (客户定制) and interaction (客户互动) drive overall satisfaction most; customers
  rate customization as most important but give it the lowest score (IPA: concentrate here);
- interaction improved from 2018 to 2019 (the company's new communication programme);
- the largest customers (ABC class A) are no more satisfied with customization than C customers;
- ID4 is reverse-coded; a handful of straight-liners, speeders and one duplicate submission;
  the straight-liners also fail the attention check (ATT1 asks for 同意), as do ~3% of the others
  (the study screens careless answers and excludes those who fail the attention check);
- the sample over-represents 工程客户 and 石家庄 against the customer base (CRM records), so the
  study rakes the customers to the base's shares by region and type (``weighting:``);
- the open-ended comments follow the scores: detractors complain about their weakest dimension
  (most often customization and interaction), promoters praise, the rest suggest;
- the questionnaire's last page asks for the organisation, a contact person and a phone number
  (synthetic), for the customer list; TR1 (trust) sits between satisfaction and loyalty.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import sys
import zipfile
from pathlib import Path

import numpy as np

# openpyxl writes other bytes when lxml is installed (python-docx brings it): use its own writer
# always, so that the files are rebuilt byte-identical on any machine (read when openpyxl loads)
os.environ["OPENPYXL_LXML"] = "False"
from openpyxl import Workbook  # noqa: E402

OUT = Path(__file__).resolve().parent / "sample"
SEED = 20191015

AGREE = ["非常不同意", "不同意", "一般", "同意", "非常同意"]
SATISFIED = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
IMPORTANT = ["非常不重要", "不重要", "一般", "重要", "非常重要"]

#: item code -> (customer wording, employee wording)
ITEMS = {
    "identify": {
        "ID1": ("D公司准确掌握我单位的基本信息", "我们准确掌握客户的基本信息"),
        "ID2": ("D公司会定期更新我单位的需求信息", "我们定期更新客户的需求信息"),
        "ID3": ("D公司能妥善保管我单位的信息", "我们妥善保管客户信息"),
        "ID4": ("D公司经常重复询问我已提供过的信息", "我们经常重复询问客户已提供过的信息"),
    },
    "differentiate": {
        "DI1": ("D公司对不同规模的客户提供不同的合作政策", "我们对不同规模的客户提供不同的合作政策"),
        "DI2": ("D公司清楚我单位对其业务的重要程度", "我们清楚每个客户对公司业务的重要程度"),
        "DI3": ("D公司为重点客户配备专门的服务人员", "我们为重点客户配备专门的服务人员"),
    },
    "interact": {
        "IN1": ("D公司与我单位保持经常性的沟通", "我们与客户保持经常性的沟通"),
        "IN2": ("D公司提供多种沟通渠道（电话、微信、上门）", "我们为客户提供多种沟通渠道"),
        "IN3": ("D公司对我单位的问题响应及时", "我们对客户的问题响应及时"),
        "IN4": ("D公司会主动征求我单位的意见和建议", "我们主动征求客户的意见和建议"),
    },
    "customize": {
        "CU1": ("D公司能根据我单位的需求调整产品方案", "我们根据客户需求调整产品方案"),
        "CU2": ("D公司提供符合我单位特点的培训和售后服务", "我们提供符合客户特点的培训和售后服务"),
        "CU3": ("D公司的报价和交付方式能灵活满足我单位要求", "我们的报价和交付方式能灵活满足客户要求"),
    },
    "system": {
        "SY1": ("D公司的订单和服务记录查询方便", "CRM系统中客户的订单和服务记录查询方便"),
        "SY2": ("D公司能及时告知订单和物流进度", "CRM系统能及时提示订单和物流进度"),
        "SY3": ("D公司的售后报修流程清晰高效", "CRM系统的售后报修流程清晰高效"),
    },
}
REVERSED = {"ID4"}
DIMENSION_LABELS = {"identify": "客户识别", "differentiate": "客户区分", "interact": "客户互动",
                    "customize": "客户定制", "system": "CRM系统"}
DIMENSION_EN = {"identify": "Identify", "differentiate": "Differentiate", "interact": "Interact",
                "customize": "Customize", "system": "CRM system"}
OTHER_NAMES = {"SAT1": ("总体满意度", "Overall satisfaction"),
               "SAT2": ("与期望相比的满意度", "Satisfaction vs expectation"),
               "LOY1": ("继续采购", "Will buy again"), "LOY2": ("愿意推荐", "Would recommend"),
               "LOY3": ("价格容忍", "Price tolerance"), "REC": ("推荐意愿 (0-10)", "Likely to recommend"),
               "region": ("地区", "Region"), "type": ("客户类型", "Customer type"),
               "years": ("合作年数", "Years of cooperation"), "amount": ("年采购额 (万元)",
                                                                       "Yearly purchases (10k CNY)"),
               "intent": ("增购意向", "Purchase intention"),
               "TR1": ("信任D公司", "Trusts D company"),
               "ATT1": ("注意力检测题", "Attention check"),
               "comment": ("意见和建议", "Comments and suggestions"),
               "company": ("单位名称", "Organisation"), "contact": ("联系人", "Contact person"),
               "phone": ("联系电话", "Phone")}
#: perception items that also get an expectation question (C = b/a)
EXPECTED = ["ID1", "DI3", "IN3", "CU1", "SY3"]
REGIONS = ["石家庄", "保定", "唐山", "邯郸", "廊坊"]
TYPES = ["工程客户", "终端用户"]
#: the answer the attention-check question asks for (同意)
ATTENTION_ANSWER = 4

# open-ended answers: complaints about a customer's weakest dimension, praise from promoters,
# suggestions from the rest (the comments follow the scores, so that themes and keywords show it)
COMPLAINTS = {
    "identify": ["每次都要重复提供我们的基本信息，很麻烦", "对我们学校的需求了解不够",
                 "联系人换了也没有及时更新"],
    "differentiate": ["大客户和小客户的政策没有区别", "没有专门的对接人员，找不到人",
                      "希望对重点客户有更多支持"],
    "interact": ["问题反馈后响应太慢", "售后电话经常打不通", "沟通太少，只有下单时才联系",
                 "反映的问题迟迟没有回复"],
    "customize": ["产品方案不能根据我们的需求调整", "培训内容太笼统，不适合我们学校",
                  "交付时间不够灵活", "定制化程度还不够"],
    "system": ["订单进度查不到", "报修流程太复杂，等了一周才有人来", "物流信息更新不及时"],
    "other": ["价格偏高", "安装调试周期太长", "设备故障率有点高"],
}
PRAISE = ["售后服务很及时，满意", "销售人员态度很好", "产品质量稳定，老师们反映好用",
          "沟通很顺畅，会继续合作", "培训很到位", "交付准时，安装很快"]
SUGGESTIONS = ["希望加强售后响应速度", "希望有专人对接", "建议定期回访", "希望提供更多培训",
               "希望价格更优惠一些", "沟通比以前频繁了", "希望报修能在网上进行"]
#: the study file's theme dictionary for the comments (price is left out on purpose: those comments
#: fall under "other", where the suggested themes find them)
THEMES = {"客户信息": ["基本信息", "需求了解", "联系人", "重复提供"],
          "专人对接": ["对接", "专人", "重点客户", "政策", "找不到人"],
          "沟通与响应": ["沟通", "响应", "回复", "打不通", "回访", "反馈"],
          "定制与培训": ["定制", "方案", "培训", "灵活"],
          "订单与报修": ["订单", "报修", "物流", "进度"],
          "安装与质量": ["安装", "故障", "质量"],
          "服务态度": ["态度", "服务"]}
COMPANY_WORDS = ["华信", "博创", "启明", "新锐", "智联", "恒通", "中科", "鼎盛", "天诚", "瑞达",
                 "明德", "育才", "文华", "英才", "立信", "远航"]
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗")
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
         "超", "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "丽华", "海燕"]

# latent means on the 1-5 response scale, by (group, wave)
MEANS = {
    ("customers", 2019): {"identify": 3.05, "differentiate": 3.35, "interact": 3.35,
                          "customize": 2.85, "system": 3.55},
    ("customers", 2018): {"identify": 3.00, "differentiate": 3.20, "interact": 2.95,
                          "customize": 2.80, "system": 3.40},
    ("employees", 2019): {"identify": 3.85, "differentiate": 3.40, "interact": 4.05,
                          "customize": 3.70, "system": 3.50},
    ("employees", 2018): {"identify": 3.80, "differentiate": 3.40, "interact": 3.85,
                          "customize": 3.65, "system": 3.45},
}
FACTOR_CORR = 0.45
LOADING = 0.80  # on the latent standard deviation; residual sd 0.6


def latent_scores(rng: np.random.Generator, n: int) -> np.ndarray:
    """Standard-normal factor scores for the five dimensions with equal correlation ρ: a shared
    normal part √ρ·g plus an own part √(1−ρ)·e. (Not ``multivariate_normal``: the eigenvectors of
    an equicorrelation matrix are not unique, so its draws depend on the machine's LAPACK.)"""
    k = len(ITEMS)
    shared = rng.standard_normal((n, 1))
    own = rng.standard_normal((n, k))
    return np.sqrt(FACTOR_CORR) * shared + np.sqrt(1 - FACTOR_CORR) * own


def to_scale(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), 1, 5).astype(int)


def answer_items(rng, factors, means, sd=0.85) -> dict[str, np.ndarray]:
    """Likert answers per item: mean + sd·(loading·factor + residual), rounded to 1..5."""
    answers = {}
    for d, (dim, items) in enumerate(ITEMS.items()):
        for item in items:
            x = means[dim] + sd * (LOADING * factors[:, d]
                                   + 0.6 * rng.standard_normal(len(factors)))
            codes = to_scale(x)
            answers[item] = 6 - codes if item in REVERSED else codes
    return answers


def customers(rng: np.random.Generator, wave: int, n: int) -> dict[str, np.ndarray]:
    f = latent_scores(rng, n)
    data = answer_items(rng, f, MEANS[("customers", wave)])
    dims = list(ITEMS)
    # overall satisfaction: driven by customize and interact most, system least
    drive = (0.45 * f[:, dims.index("customize")] + 0.40 * f[:, dims.index("interact")]
             + 0.20 * f[:, dims.index("identify")] + 0.10 * f[:, dims.index("differentiate")]
             + 0.05 * f[:, dims.index("system")])
    sat = drive / drive.std() * 0.8 + 0.6 * rng.standard_normal(n)
    data["SAT1"] = to_scale(3.3 + 0.85 * sat)
    data["SAT2"] = to_scale(3.2 + 0.85 * (sat + 0.5 * rng.standard_normal(n)))
    loyal = 0.8 * sat + 0.6 * rng.standard_normal(n)
    data["LOY1"] = to_scale(3.5 + 0.8 * loyal + 0.3 * rng.standard_normal(n))
    data["LOY2"] = to_scale(3.3 + 0.8 * loyal + 0.3 * rng.standard_normal(n))
    data["LOY3"] = to_scale(2.9 + 0.8 * loyal + 0.4 * rng.standard_normal(n))
    data["REC"] = np.clip(np.rint(6.8 + 1.9 * loyal), 0, 10).astype(int)
    for item in EXPECTED:  # expectations are high and vary little
        data["EX_" + item] = to_scale(4.1 + 0.7 * rng.standard_normal(n))
    importance = {"identify": 3.7, "differentiate": 3.4, "interact": 4.2, "customize": 4.4,
                  "system": 3.3}
    for dim, mu in importance.items():
        data["IMP_" + dim] = to_scale(mu + 0.7 * rng.standard_normal(n))
    data["region"] = rng.choice(REGIONS, size=n, p=[0.3, 0.2, 0.2, 0.15, 0.15])
    data["type"] = rng.choice(TYPES, size=n, p=[0.45, 0.55])
    data["years"] = rng.choice(np.arange(1, 13), size=n, p=np.r_[[0.16, 0.14, 0.12, 0.11, 0.1],
                                                                 np.full(7, 0.37 / 7)])
    # yearly purchase (万元): heavy-tailed, project customers buy more
    scale = np.where(data["type"] == "工程客户", 60.0, 12.0)
    data["amount"] = np.round(rng.lognormal(0, 1.1, size=n) * scale, 1)
    data["intent"] = to_scale(3.2 + 0.6 * sat + 0.7 * rng.standard_normal(n))
    data["TR1"] = to_scale(3.4 + 0.7 * sat + 0.5 * rng.standard_normal(n))
    data["ATT1"] = np.where(rng.random(n) < 0.03, rng.integers(1, 6, size=n), ATTENTION_ANSWER)
    data["comment"] = comments(rng, data, sat)
    data["company"], data["contact"], data["phone"] = contacts(rng, data["region"], data["type"])
    return data


def comments(rng, data: dict, sat: np.ndarray) -> list[str]:
    """Open-ended answers ("" = left empty): detractors complain about their weakest dimension,
    promoters praise, the others suggest."""
    means = np.column_stack([np.mean([data[i] if i not in REVERSED else 6 - data[i]
                                      for i in items], axis=0) for items in ITEMS.values()])
    weakest = np.array(list(ITEMS))[np.argmin(means + 0.01 * rng.random(means.shape), axis=1)]
    out = []
    for r in range(len(sat)):
        if rng.random() < 0.45:
            out.append("")
        elif data["REC"][r] <= 6:
            pool = COMPLAINTS[weakest[r]] + COMPLAINTS["other"][:1]
            picks = rng.choice(len(pool), size=1 + int(rng.random() < 0.4), replace=False)
            out.append("，".join(pool[i] for i in picks))
        elif data["REC"][r] >= 9:
            out.append(PRAISE[rng.integers(len(PRAISE))])
        else:
            out.append(SUGGESTIONS[rng.integers(len(SUGGESTIONS))])
    return out


def contacts(rng, regions: np.ndarray, types: np.ndarray) -> tuple[list, list, list]:
    """Organisation, contact person and phone number (the questionnaire's last page, left for
    follow-up calls; 8% leave them empty)."""
    names, people, phones = [], [], []
    for r, (region, kind) in enumerate(zip(regions, types)):
        word = COMPANY_WORDS[rng.integers(len(COMPANY_WORDS))]
        names.append(f"{region}{word}教育科技有限公司" if kind == "工程客户"
                     else f"{region}市第{rng.integers(1, 40)}中学" if rng.random() < 0.6
                     else f"{region}{word}实验小学")
        people.append(SURNAMES[rng.integers(len(SURNAMES))] + GIVEN[rng.integers(len(GIVEN))])
        phones.append(f"1{rng.choice([3, 5, 8])}{rng.integers(0, 10)}{rng.integers(0, 10 ** 8):08d}")
        if rng.random() < 0.08:
            names[-1] = people[-1] = phones[-1] = ""
    return names, people, phones


def employees(rng: np.random.Generator, wave: int, n: int) -> dict[str, np.ndarray]:
    f = latent_scores(rng, n)
    data = answer_items(rng, f, MEANS[("employees", wave)], sd=0.7)
    data["dept"] = rng.choice(["销售部", "客服部", "技术部", "市场部"], size=n)
    return data


def add_quality_problems(rng, data: dict, n: int, straight: int, speed: int) -> dict:
    """Straight-liners (all 非常同意), speeders and one duplicate submission, marked for the report."""
    items = [i for dim in ITEMS.values() for i in dim]
    liners = rng.choice(n, size=straight, replace=False)
    for item in items:
        data[item][liners] = 5
    data["ATT1"][liners] = 5  # a straight-liner ticks 非常同意 on the attention check too
    data["seconds"] = np.rint(rng.lognormal(np.log(330), 0.35, size=n)).astype(int)
    fast = rng.choice(np.setdiff1d(np.arange(n), liners), size=speed, replace=False)
    data["seconds"][fast] = rng.integers(35, 80, size=speed)
    return data


def skipped(rng, n: int, share: float) -> np.ndarray:
    return rng.random(n) < share


def write_wjx_xlsx(path: Path, data: dict, n: int, wave: int, rng) -> tuple[list, list]:
    """A 问卷星 answer-text export (按选项文本下载, .xlsx)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    header = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP",
              "1、贵单位所在地区：", "2、贵单位的客户类型：", "3、贵单位与D公司已合作几年？（年）",
              "4、贵单位上一年度向D公司的采购金额（万元）："]
    columns = [None] * 10  # (key, kind) per column after the metadata
    columns[6:10] = [("region", "text"), ("type", "text"), ("years", "number"),
                     ("amount", "number")]
    q = 5
    for dim, items in ITEMS.items():
        codes = list(items)
        title = f"{q}、请根据贵单位的实际感受，评价D公司在“{DIMENSION_LABELS[dim]}”方面的表现"
        for j, code in enumerate(codes):
            label = items[code][0]
            header.append(f"{title}(矩阵单选题 *必答)—{label}" if j == 0 else label)
            columns.append((code, "agree"))
        q += 1
    header.append(f"{q}、为确保问卷质量，本题请选择“同意”")
    columns.append(("ATT1", "agree"))
    q += 1
    exp_title = f"{q}、在合作之前，您对D公司以下方面的期望如何？"
    for j, code in enumerate(EXPECTED):
        dim = next(d for d, items in ITEMS.items() if code in items)
        label = "期望：" + ITEMS[dim][code][0]
        header.append(f"{exp_title}(矩阵单选题)—{label}" if j == 0 else label)
        columns.append(("EX_" + code, "agree"))
    q += 1
    imp_title = f"{q}、以下各方面对贵单位的重要程度如何？"
    for j, dim in enumerate(ITEMS):
        label = DIMENSION_LABELS[dim]
        header.append(f"{imp_title}(矩阵单选题)—{label}" if j == 0 else label)
        columns.append(("IMP_" + dim, "important"))
    q += 1
    for key, text, kind in [
        ("SAT1", "总体而言，您对D公司的产品和服务是否满意？", "satisfied"),
        ("SAT2", "与您的期望相比，您对D公司的满意程度如何？", "satisfied"),
        ("TR1", "D公司值得我单位信赖", "agree"),
        ("LOY1", "贵单位今后会继续向D公司采购", "agree"),
        ("LOY2", "贵单位愿意向同行推荐D公司", "agree"),
        ("LOY3", "即使价格略有上涨，贵单位仍会选择D公司", "agree"),
        ("REC", "您有多大可能向朋友或同行推荐D公司？（0-10分）", "number"),
        ("intent", "贵单位下一年度会增加向D公司的采购", "agree"),
    ]:
        header.append(f"{q}、{text}")
        columns.append((key, kind))
        q += 1
    header.append(f"{q}、您对D公司的客户关系管理还有哪些意见或建议？")
    columns.append(("comment", "fill"))
    q += 1
    for key, text in (("company", "贵单位名称（便于回访，选填）"), ("contact", "联系人"),
                      ("phone", "联系电话")):
        header.append(f"{q}、{text}")
        columns.append((key, "fill"))
        q += 1
    ws.append(header)
    start = dt.datetime(wave, 11, 4, 8, 30)
    times = [start + dt.timedelta(seconds=int(s)) for s in np.cumsum(rng.integers(60, 3600, n))]
    label_sets = {"agree": AGREE, "satisfied": SATISFIED, "important": IMPORTANT}
    skip_intent = skipped(rng, n, 0.04)
    skip_exp = skipped(rng, n, 0.03)
    for r in range(n):
        ip = f"{rng.integers(27, 223)}.{rng.integers(0, 255)}.{rng.integers(0, 255)}." \
             f"{rng.integers(1, 254)}(河北-{data['region'][r]})"
        row = [r + 1, times[r].strftime("%Y/%m/%d %H:%M:%S"), f"{data['seconds'][r]}秒",
               ["微信", "手机提交", "链接"][r % 3], "N/A", ip]
        for key, kind in columns[6:]:
            if kind == "fill":
                row.append(data[key][r] or "(空)")
            elif key == "intent" and skip_intent[r] or key.startswith("EX_") and skip_exp[r]:
                row.append("(跳过)")
            elif kind == "text":
                row.append(str(data[key][r]))
            elif kind == "number":
                row.append(float(data[key][r]) if key == "amount" else int(data[key][r]))
            else:
                row.append(label_sets[kind][int(data[key][r]) - 1])
        ws.append(row)
    duplicate = ws[n + 1]
    ws.append([n + 1] + [c.value for c in duplicate][1:])  # a double submission
    wb.properties.creator = "wjx"
    wb.properties.created = dt.datetime(wave, 12, 1)
    wb.properties.modified = dt.datetime(wave, 12, 1)
    wb.save(path)
    fix_zip_times(path, (wave, 12, 1, 0, 0, 0))
    return header, columns


def fix_zip_times(path: Path, when: tuple) -> None:
    """Give every member of an xlsx, and its 'modified' property (openpyxl stamps the time of
    saving), one fixed time, so that rebuilding is byte-identical."""
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % when
    members = [(info, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(),
                             payload) if info.filename == "docProps/core.xml" else payload)
               for info, payload in members]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, payload in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, payload)


def write_employee_csv(path: Path, data: dict, n: int, rng) -> list[str]:
    """Employees' self-assessment: HR's Excel sheet saved as CSV (GB18030), codes 1-5."""
    header = ["工号", "部门"]
    keys = []
    for items in ITEMS.values():
        for code, (_, wording) in items.items():
            header.append(wording)
            keys.append(code)
    missing = rng.random((n, len(keys))) < 0.02
    with path.open("w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        for r in range(n):
            row = [f"E{1000 + r}", data["dept"][r]]
            row += ["" if missing[r, j] else str(data[k][r]) for j, k in enumerate(keys)]
            writer.writerow(row)
    return header


def matrix_row_label(header: str) -> str:
    """The column name a 问卷星 matrix column gets on import: the row label after the dash."""
    return header.split(")—", 1)[1] if ")—" in header else header


def study_yaml(cust_header: list, cust_columns: list, emp_header: list) -> str:
    """The study file, with rename blocks from the raw headers to item codes."""
    q = lambda text: '"' + text.replace('"', '\\"') + '"'  # noqa: E731
    lines = ["# D公司客户关系管理调查 (sample study; built by data/make_sample.py)",
             "title: D公司客户关系管理调查 2019", "scale: {min: 1, max: 5}",
             "wave: '2019'", "groups:", "  customers:", "    file: customers_2019.xlsx",
             "    rename:"]
    for head, col in zip(cust_header[6:], cust_columns[6:]):
        if col[0] is not None:
            lines.append(f"      {q(matrix_row_label(head))}: {col[0]}")
    lines += ["  employees:", "    file: employees_2019.csv", "    rename:"]
    codes = [code for items in ITEMS.values() for code in items]
    lines.append(f"      {q(emp_header[0])}: staff_id")
    lines.append(f"      {q(emp_header[1])}: dept")
    lines += [f"      {q(h)}: {c}" for h, c in zip(emp_header[2:], codes)]
    lines += ["waves:", "  '2018':", "    customers: customers_2018.xlsx",
              "    employees: employees_2018.csv", "dimensions:"]
    lines += [f"  {dim}: [{', '.join(items)}]" for dim, items in ITEMS.items()]
    lines += [f"reverse: [{', '.join(sorted(REVERSED))}]",
              "satisfaction: [SAT1, SAT2]", "loyalty: [LOY1, LOY2, LOY3]", "nps: REC",
              "compare: [customers, employees]", "expectation:"]
    lines += [f"  {item}: EX_{item}" for item in EXPECTED]
    lines += ["importance:"] + [f"  {dim}: IMP_{dim}" for dim in ITEMS]
    lines += ["pls:", "  paths:"] + [f"    - {dim} -> satisfaction" for dim in ITEMS]
    lines += ["    - satisfaction -> loyalty", "  bootstrap: 200", "  seed: 1"]
    lines += ["weights: importance", "segments: [region, type]", "id: staff_id",
              "revenue: amount", "growth: intent", "cooperation_years: years",
              "contact: [company, contact, phone]",
              "ladder:", "  satisfaction: [SAT1, SAT2]", "  trust: [TR1]",
              "  behavioural: [LOY1]", "  emotional: [LOY2]", "  sustainable: [LOY3]",
              "  reached_from: 4",
              "careless: {longstring: 10, irv: 0.3, mahalanobis: 0.001, even_odd: 0, "
              "attention: {ATT1: 4}}",
              "exclude: {straightliners: true, speeders: true, duplicates: true, "
              "attention: true}",
              "weighting:  # the customer base by region and type (CRM records, 2019)",
              "  group: customers", "  margins:",
              "    region: {石家庄: 0.25, 保定: 0.2, 唐山: 0.25, 邯郸: 0.15, 廊坊: 0.15}",
              "    type: {工程客户: 0.35, 终端用户: 0.65}", "  trim: {min: 0.3, max: 3.0}",
              "comments: [comment]", "themes:"]
    lines += [f"  {theme}: [{', '.join(terms)}]" for theme, terms in THEMES.items()]
    lines += ["names:",
              "  customers: {zh: 客户, en: Customers}", "  employees: {zh: 员工, en: Employees}"]
    lines += [f"  {dim}: {{zh: {DIMENSION_LABELS[dim]}, en: {DIMENSION_EN[dim]}}}" for dim in ITEMS]
    lines += [f"  {code}: {{zh: {q(text)}}}" for items in ITEMS.values()
              for code, (text, _) in items.items()]
    lines += [f"  {code}: {{zh: {q(zh)}, en: {q(en)}}}" for code, (zh, en) in OTHER_NAMES.items()]
    lines.append("")
    return "\n".join(lines)


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for wave, n_cust, n_emp in ((2018, 287, 38), (2019, 312, 42)):
        cust = add_quality_problems(rng, customers(rng, wave, n_cust), n_cust, 6, 5)
        head, cols = write_wjx_xlsx(out / f"customers_{wave}.xlsx", cust, n_cust, wave, rng)
        emp_head = write_employee_csv(out / f"employees_{wave}.csv",
                                      employees(rng, wave, n_emp), n_emp, rng)
    (out / "study.yaml").write_text(study_yaml(head, cols, emp_head), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
