"""A realistic school-library catalogue of any size, for trials and benchmarks.

    python manage.py generate_data --records 200000 --copies-per-record 2.5 --seed 1

The same seed on the same starting catalogue gives the same data: Chinese titles composed from
word lists (and the classics now and then), some English ones, Chinese and foreign authors with
their roles, real Chinese publishers with their ISBN prefixes (unique ISBN-13s with valid check
digits), classes of the Chinese Library Classification in a school library's proportions,
call numbers with sequence numbers (种次号), and copies in the library's rooms and the classes'
book corners. Records, contributors and copies are built in Python and written with
``bulk_create`` in batches; the counters (barcodes, accession numbers, sequence numbers) are
advanced afterwards, so that cataloguing by hand continues after the generated numbers.

On PostgreSQL, adding 20,000 records or more drops the record table's search indexes and builds
them again at the end, in the same transaction: the table is locked until the command ends, so
run it on a trial or benchmark database, not on a library in use.

Copies "on loan" have no loan behind them: the data are for searching and listing, not for
the desk. Readers are circulation's: its ``generate_school`` makes them.
"""

from __future__ import annotations

import math
import random
import re
import time
from bisect import bisect
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from catalog import names
from catalog.models import CatalogSettings, ClassificationClass, Contributor, Copy, Counter, Location, Record
from catalog.search import record_search_fields

# --- word lists ---------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return text.split()


CLASSICS = [
    # (title, authors with roles, CLC class)
    ("西游记", [("吴承恩", "author")], "I242.4"),
    ("红楼梦", [("曹雪芹", "author"), ("高鹗", "author")], "I242.4"),
    ("水浒传", [("施耐庵", "author")], "I242.4"),
    ("三国演义", [("罗贯中", "author")], "I242.4"),
    ("草房子", [("曹文轩", "author")], "I287.45"),
    ("青铜葵花", [("曹文轩", "author")], "I287.45"),
    ("城南旧事", [("林海音", "author")], "I247.5"),
    ("骆驼祥子", [("老舍", "author")], "I246.5"),
    ("朝花夕拾", [("鲁迅", "author")], "I210"),
    ("呐喊", [("鲁迅", "author")], "I210"),
    ("边城", [("沈从文", "author")], "I246.5"),
    ("稻草人", [("叶圣陶", "author")], "I287.7"),
    ("寄小读者", [("冰心", "author")], "I287.6"),
    ("繁星·春水", [("冰心", "author")], "I226"),
    ("大林和小林", [("张天翼", "author")], "I287.7"),
    ("宝葫芦的秘密", [("张天翼", "author")], "I287.45"),
    ("小英雄雨来", [("管桦", "author")], "I287.45"),
    ("狼王梦", [("沈石溪", "author")], "I287.45"),
    ("男生贾里", [("秦文君", "author")], "I287.45"),
    ("淘气包马小跳", [("杨红樱", "author")], "I287.45"),
    ("笑猫日记", [("杨红樱", "author")], "I287.45"),
    ("皮皮鲁传", [("郑渊洁", "author")], "I287.7"),
    ("舒克和贝塔", [("郑渊洁", "author")], "I287.7"),
    ("小王子", [("圣埃克苏佩里", "author"), ("周克希", "translator")], "I565.4"),
    ("海底两万里", [("儒勒·凡尔纳", "author"), ("赵克非", "translator")], "I565.4"),
    ("昆虫记", [("法布尔", "author"), ("陈筱卿", "translator")], "Q96"),
    ("夏洛的网", [("E.B.怀特", "author"), ("任溶溶", "translator")], "I712.8"),
    ("格林童话", [("格林兄弟", "author"), ("杨武能", "translator")], "I516.8"),
    ("安徒生童话", [("安徒生", "author"), ("叶君健", "translator")], "I534.8"),
    ("伊索寓言", [("伊索", "author")], "I545"),
    ("鲁滨逊漂流记", [("笛福", "author")], "I561.4"),
    ("爱的教育", [("亚米契斯", "author"), ("夏丏尊", "translator")], "I546"),
    ("童年", [("高尔基", "author")], "I512.4"),
    ("钢铁是怎样炼成的", [("奥斯特洛夫斯基", "author")], "I512.4"),
    ("汤姆·索亚历险记", [("马克·吐温", "author")], "I712.4"),
    ("绿野仙踪", [("弗兰克·鲍姆", "author")], "I712.8"),
    ("窗边的小豆豆", [("黑柳彻子", "author"), ("赵玉皎", "translator")], "I313.4"),
    ("森林报", [("比安基", "author")], "I512.4"),
    ("长袜子皮皮", [("林格伦", "author"), ("李之义", "translator")], "I532"),
    ("爱丽丝漫游奇境", [("刘易斯·卡罗尔", "author")], "I561.8"),
    ("论语", [("孔子", "author"), ("杨伯峻", "translator")], "B222.2"),
    ("史记", [("司马迁", "author")], "K20"),
    ("唐诗三百首", [("蘅塘退士", "editor")], "I222.7"),
    ("宋词三百首", [("上彊村民", "editor")], "I222.8"),
    ("十万个为什么", [("韩启德", "chief_editor")], "Z228"),
    ("中华上下五千年", [("林汉达", "author")], "K209"),
]
CLASSIC_EDITIONS = [
    "",
    "",
    "",
    "（青少年版）",
    "（注音版）",
    "（彩绘本）",
    "：全本",
    "（插图本）",
    "（美绘版）",
]

MODIFIERS = words(
    "奇妙的 神奇的 有趣的 美丽的 快乐的 勇敢的 小小的 会飞的 爱哭的 好玩的 聪明的 了不起的 "
    "看不见的 失落的 遥远的 古老的 最后的 第一次 我的 我们的 给孩子的 写给青少年的 少年 儿童 "
    "中国 世界 图说 趣味 新编 经典 彩图 图解 走进 探索 发现 亲近 穿越 神秘的 蓝色的 金色的 "
    "会说话的 不一样的 大大的 一起读 跟着课本读"
)
SUFFIXES = words(
    "故事 之旅 历险记 大全 百科 入门 漫游记 探秘 趣谈 简史 小史 读本 手册 启蒙 365夜 "
    "日记 传 的秘密 的一天 王国 大冒险 物语 三部曲 课堂 全书 绘本 图鉴 问答 小百科 奇遇"
)
CHARACTERS = words(
    "小王子 小熊 小狐狸 小兔子 大象 老鼠 猫头鹰 小猪 小女孩 男孩 少年 爷爷 奶奶 外婆 小明 "
    "小蝌蚪 小海龟 小恐龙 机器猫 小企鹅 熊猫 小松鼠 青蛙 小燕子 大灰狼 孙悟空 哪吒 小书虫 "
    "马小跳"
)
ACTIONS = words(
    "去旅行 找朋友 上学记 的梦想 的一天 的秘密 和他的朋友们 历险记 学数学 回家 看世界 过新年 "
    "的生日 去太空 爱读书 长大了 游中国 的夏天"
)
TOPICS = {
    "I": words(
        "童话 故事 小说 诗歌 散文 寓言 神话 传说 森林 月亮 星星 梦 朋友 童年 夏天 "
        "冬天 春天 小镇 城堡 花园 大海 草原 风筝 小船 魔法 精灵 公主 彩虹 萤火虫 "
        "蒲公英 外婆家 胡同 校园 青春"
    ),
    "G": words("作文 阅读 学习方法 习惯 成长 心理 足球 篮球 游泳 国学 演讲 家庭教育 围棋 象棋 好习惯"),
    "K": words("历史 上下五千年 朝代 古代 地理 地图 长城 故宫 丝绸之路 名人 英雄 文明 考古 城市 节日"),
    "J": words("绘画 美术 音乐 手工 折纸 剪纸 书法 素描 漫画 摄影 舞蹈 京剧 简笔画 水彩"),
    "H": words("字典 词典 成语 汉字 拼音 英语 单词 语法 古诗 识字 造句 歇后语"),
    "O": words("数学 几何 算术 物理 化学 奥数 数独 逻辑 数字 分数 光 电 磁 实验"),
    "Q": words("动物 植物 昆虫 恐龙 鸟类 海洋生物 细胞 生命 花草 微生物 人体 基因"),
    "P": words("宇宙 星空 太阳系 地球 天气 火山 地震 海洋 岩石 气候 月球"),
    "T": words("机器人 编程 计算机 发明 汽车 火车 飞机 桥梁 人工智能 电子 科技 建筑"),
    "Z": words("百科全书 十万个为什么 知识 问答 大百科 年鉴 丛书"),
    "B": words("哲学 思维 伦理 心理学 智慧 情绪 品格"),
    "D": words("法律 安全 道德 法治 自我保护 公民"),
    "E": words("军事 兵器 战争 国防 军舰"),
    "F": words("经济 金钱 理财 商业 财商"),
    "N": words("科学 自然 发现 科普 实验 科学家"),
    "R": words("健康 医学 营养 卫生 睡眠 近视"),
    "S": words("农业 种植 养殖 花卉 粮食 蔬菜"),
    "U": words("交通 船舶 铁路 高铁 公路"),
    "V": words("航空 航天 火箭 飞行 卫星 空间站"),
    "X": words("环境 环保 垃圾分类 能源 地球家园 低碳"),
    "A": words("著作选读 思想 选集"),
    "C": words("社会 统计 人口 调查"),
}
SERIES = words(
    "中国儿童文学经典 百年百部中国儿童文学经典书系 国际大奖小说 世界少年文学经典文库 科学启蒙丛书 "
    "大中华寻宝记 小学生课外阅读书系 青少年科普图书馆 名师导读 快乐读书吧 语文新课标必读丛书 "
    "中国传统文化读本 DK儿童百科 可怕的科学"
)
SUBTITLES = words("青少年版 第一辑 第二辑 科学探索篇 彩图注音版 全彩插图版 上册 下册 修订版")
EDITIONS = ["", "", "", "", "", "", "第2版", "第3版", "修订版", "注音版"]

REAL_AUTHORS = words(
    "曹文轩 杨红樱 郑渊洁 冰心 鲁迅 老舍 林海音 叶圣陶 沈石溪 秦文君 张天翼 金波 高洪波 "
    "梅子涵 黄蓓佳 伍美珍 雷欧幻像 北猫 汤素兰 常新港"
)
FOREIGN_GIVEN = words("约翰 玛丽 汤姆 艾米 彼得 安娜 杰克 露西 大卫 苏珊 罗伯特 艾玛")
FOREIGN_FAMILY = words("史密斯 布朗 怀特 格林 米勒 威尔逊 摩尔 泰勒 安德森 汤普森 克拉克")
ENGLISH_FIRST = words("Roald Emily James Anna Peter Lucy Mark Sarah David Laura Tom")
ENGLISH_LAST = words("Dahl White Brown Carroll Smith Potter Milne Lewis Green Baum")
ENGLISH_ADJECTIVES = words("Little Secret Magic Brave Hidden Wonderful Lost Great Happy Curious")
ENGLISH_NOUNS = words(
    "Prince Garden Dragon Island Forest River Castle "
    "Star Journey Friend Robot Ocean Mountain Window "
    "Dream Adventure School Rabbit Moon City"
)
ENGLISH_SERIES = ["Oxford Reading Tree", "Penguin Readers", "Ladybird Readers", "I Can Read"]

# Publisher, place, ISBN prefixes after 978-7 (their real registrant numbers), weight.
PUBLISHERS = [
    ("人民文学出版社", "北京", ["02"], 6),
    ("少年儿童出版社", "上海", ["5324", "5589"], 8),
    ("中华书局", "北京", ["101"], 3),
    ("商务印书馆", "北京", ["100"], 3),
    ("接力出版社", "南宁", ["5448"], 5),
    ("中国少年儿童出版社", "北京", ["5148", "5007"], 7),
    ("二十一世纪出版社", "南昌", ["5391", "5568"], 5),
    ("浙江少年儿童出版社", "杭州", ["5342", "5597"], 5),
    ("明天出版社", "济南", ["5332", "5708"], 4),
    ("长江少年儿童出版社", "武汉", ["5560", "5353"], 4),
    ("人民教育出版社", "北京", ["107"], 4),
    ("科学出版社", "北京", ["03"], 2),
    ("高等教育出版社", "北京", ["04"], 1),
    ("人民出版社", "北京", ["01"], 1),
    ("生活·读书·新知三联书店", "北京", ["108"], 1),
    ("外语教学与研究出版社", "北京", ["5135", "5600"], 3),
    ("上海译文出版社", "上海", ["5327"], 2),
    ("译林出版社", "南京", ["5447", "5753"], 2),
    ("作家出版社", "北京", ["5063", "5212"], 2),
    ("新蕾出版社", "天津", ["5307"], 2),
    ("天天出版社", "北京", ["5016"], 2),
    ("南海出版公司", "海口", ["5442"], 2),
    ("人民邮电出版社", "北京", ["115"], 2),
    ("清华大学出版社", "北京", ["302"], 1),
    ("北京大学出版社", "北京", ["301"], 1),
    ("上海古籍出版社", "上海", ["5325"], 1),
    ("湖南少年儿童出版社", "长沙", ["5562", "5358"], 3),
    ("江苏凤凰少年儿童出版社", "南京", ["5584", "5346"], 3),
    ("北京少年儿童出版社", "北京", ["5301"], 2),
    ("中国大百科全书出版社", "北京", ["5000", "5202"], 2),
    ("电子工业出版社", "北京", ["121"], 1),
    ("化学工业出版社", "北京", ["122"], 1),
    ("中信出版社", "北京", ["5086", "5217"], 2),
    ("人民美术出版社", "北京", ["102"], 1),
    ("人民音乐出版社", "北京", ["103"], 1),
    ("岳麓书社", "长沙", ["5538"], 1),
    ("华东师范大学出版社", "上海", ["5617", "5760"], 2),
    ("北京师范大学出版社", "北京", ["303"], 1),
    ("中国地图出版社", "北京", ["5031", "5204"], 1),
]
ENGLISH_PUBLISHERS = {"外语教学与研究出版社", "上海译文出版社", "译林出版社", "商务印书馆", "北京大学出版社"}

# Shares of a school library's collection by main class (literature first, then education,
# history, the arts, languages, the sciences).
CLASS_SHARES = {
    "I": 40,
    "G": 10,
    "K": 8,
    "J": 6,
    "H": 6,
    "Q": 5,
    "O": 4,
    "T": 4,
    "Z": 4,
    "N": 2,
    "P": 2,
    "B": 2,
    "D": 2,
    "R": 2,
    "X": 1,
    "E": 1,
    "F": 1,
    "S": 1,
    "U": 0.5,
    "V": 0.5,
    "C": 0.5,
    "A": 0.5,
}
# Within a main class, deeper classes are likelier (weight: level²), and these branches more so.
BRANCH_BOOST = {
    "I28": 4,
    "I24": 2,
    "I56": 1.5,
    "I71": 1.5,
    "I51": 1.5,
    "G6": 2,
    "G8": 1.5,
    "H31": 2,
    "K2": 2,
    "K8": 1.5,
}

STATUS_SHARES = [
    (Copy.Status.AVAILABLE, 86),
    (Copy.Status.ON_LOAN, 10),
    (Copy.Status.IN_REPAIR, 1.5),
    (Copy.Status.ON_HOLD_SHELF, 0.5),
    (Copy.Status.LOST, 0.5),
    (Copy.Status.WITHDRAWN, 1.5),
]
MATERIAL_SHARES = [
    (Record.MaterialType.BOOK, 95),
    (Record.MaterialType.TEXTBOOK, 1),
    (Record.MaterialType.AUDIO_VISUAL, 1),
    (Record.MaterialType.E_RESOURCE, 1),
    (Record.MaterialType.PERIODICAL_VOLUME, 2),
]
E_RESOURCE_SHARE = dict(MATERIAL_SHARES)[Record.MaterialType.E_RESOURCE] / sum(dict(MATERIAL_SHARES).values())
GRADE_NAMES = ["一", "二", "三", "四", "五", "六"]
CLASS_CORNERS = [f"{GRADE_NAMES[grade]}年级({number})班图书角" for grade in range(6) for number in (1, 2)]
LAST_CATALOGUING_DAY = date(2026, 6, 30)  # a fixed end, so that the same seed gives the same dates
CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
DEEPENABLE = re.compile(r"[A-Z]\d{3,}(\.\d+)?")  # a class number that may take one more digit


class Weighted:
    """Choose among items by weight with one random number (bisect over cumulative weights)."""

    def __init__(self, pairs):
        self.items = [item for item, _weight in pairs]
        self.cumulative = list(accumulate(weight for _item, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def isbn13_check_digit(first12: str) -> str:
    total = sum(int(digit) * (1 if index % 2 == 0 else 3) for index, digit in enumerate(first12))
    return str((10 - total % 10) % 10)


class IsbnSpace:
    """Unique ISBN-13s of one registrant prefix (978-7-<prefix>-…): its publication numbers in a
    random-looking order (a fixed stride through all of them), skipping ISBNs already used."""

    def __init__(self, prefix: str, rng: random.Random):
        self.prefix = prefix
        self.capacity = 10 ** (8 - len(prefix))
        self.offset = rng.randrange(self.capacity)
        self.stride = rng.choice(
            [
                stride
                for stride in range(self.capacity // 3, self.capacity // 3 + 40)
                if math.gcd(stride, 10) == 1
            ]
        )
        self.used = 0

    def next(self, taken: set[str]) -> str | None:
        width = 8 - len(self.prefix)
        while self.used < self.capacity:
            number = (self.offset + self.used * self.stride) % self.capacity
            self.used += 1
            first12 = f"9787{self.prefix}{number:0{width}d}"
            isbn = first12 + isbn13_check_digit(first12)
            if isbn not in taken:
                taken.add(isbn)
                return isbn
        return None


class CatalogueGenerator:
    def __init__(self, *, rng: random.Random, records: int, copies_per_record: float):
        self.rng = rng
        self.copies_per_record = copies_per_record
        self.settings = CatalogSettings.current()
        self._classes()
        self._locations()
        self.publishers = Weighted([(publisher, publisher[3]) for publisher in PUBLISHERS])
        self.english_publishers = [
            publisher for publisher in PUBLISHERS if publisher[0] in ENGLISH_PUBLISHERS
        ]
        self.isbn_spaces = {
            name: [IsbnSpace(prefix, rng) for prefix in prefixes] for name, _place, prefixes, _w in PUBLISHERS
        }
        self.isbn_taken = set(Record.objects.exclude(isbn="").values_list("isbn", flat=True))
        self.statuses = Weighted(STATUS_SHARES)
        self.materials = Weighted(MATERIAL_SHARES)
        self.roles = Weighted([("author", 70), ("editor", 10), ("chief_editor", 5), ("adapter", 3)])
        # Authors who write many books: a pool that grows with the catalogue, drawn from unevenly.
        pool_size = max(300, records // 25)
        self.author_pool = [self._chinese_name() for _ in range(pool_size)]
        self.sequences: dict[str, int] = {
            counter.key.split(":", 1)[1]: counter.value
            for counter in Counter.objects.filter(key__startswith="sequence:")
        }
        self.used_sequences: set[str] = set()
        self.barcode_number = (
            Counter.objects.filter(key="barcode").values_list("value", flat=True).first() or 0
        )
        self.accession_number = (
            Counter.objects.filter(key="accession").values_list("value", flat=True).first() or 0
        )
        has_copies = Copy.objects.exists()
        self.barcodes_taken = set(Copy.objects.values_list("barcode", flat=True)) if has_copies else set()
        self.accessions_taken = (
            set(Copy.objects.values_list("accession_number", flat=True)) if has_copies else set()
        )

    # --- set-up ---

    def _classes(self):
        classes = [item for item in ClassificationClass.objects.all() if "/" not in item.code]
        if not classes:
            raise CommandError("The classification table is empty: run python manage.py migrate first.")
        self.class_by_code = {item.code: item for item in classes}
        by_top: dict[str, list] = {}
        for item in classes:
            boost = max(
                (value for prefix, value in BRANCH_BOOST.items() if item.code.startswith(prefix)), default=1
            )
            by_top.setdefault(item.code[0], []).append((item, item.level**2 * boost))
        self.classes_by_top = {top: Weighted(pairs) for top, pairs in by_top.items()}
        self.tops = Weighted([(top, share) for top, share in CLASS_SHARES.items() if top in by_top])
        self.topic_words = {}
        for item in classes:
            words = [part for part in re.split(r"[、，（）()：]", item.name_zh) if CJK_ONLY.match(part)]
            self.topic_words[item.code] = words

    def _locations(self):
        rooms = {location.kind: location for location in Location.objects.order_by("position", "pk")}
        stacks = rooms.get(Location.Kind.STACKS) or Location.objects.order_by("position", "pk").first()
        if stacks is None:
            raise CommandError("There is no location: run python manage.py migrate first.")
        reading_room = rooms.get(Location.Kind.READING_ROOM, stacks)
        periodicals_room = rooms.get(Location.Kind.PERIODICALS_ROOM, reading_room)
        corners = []
        for position, name in enumerate(CLASS_CORNERS, start=10):
            corner, _created = Location.objects.get_or_create(
                name=name, defaults={"kind": Location.Kind.CLASS_CORNER, "position": position}
            )
            corners.append(corner)
        self.stacks, self.reading_room, self.periodicals_room, self.corners = (
            stacks,
            reading_room,
            periodicals_room,
            corners,
        )

    # --- pieces of a record ---

    def _chinese_name(self) -> str:
        rng = self.rng
        surname = rng.choice(names.COMPOUND_SURNAMES) if rng.random() < 0.02 else rng.choice(names.SURNAMES)
        given = rng.choice(names.GIVEN) + (rng.choice(names.GIVEN) if rng.random() < 0.7 else "")
        return surname + given

    def _author(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.08:
            return rng.choice(REAL_AUTHORS)
        if roll < 0.6:
            return self.author_pool[int(len(self.author_pool) * rng.random() ** 1.5)]
        return self._chinese_name()

    def _contributors(self, *, translated: bool, picture_book: bool) -> list[tuple[str, str]]:
        rng = self.rng
        if translated:
            name = f"{rng.choice(FOREIGN_GIVEN)}·{rng.choice(FOREIGN_FAMILY)}"
            people = [(name, "author"), (self._chinese_name(), "translator")]
        else:
            people = [(self._author(), self.roles.pick(rng))]
            extra = rng.random()
            if extra < 0.25:
                people.append((self._author(), "author"))
            if extra < 0.07:
                people.append((self._author(), "editor"))
        if picture_book:
            people.append((self._chinese_name(), "illustrator"))
        return people

    def _chinese_title(self, code: str) -> str:
        rng = self.rng
        topics = TOPICS.get(code[0], TOPICS["N"])
        class_words = self.topic_words.get(code) or []
        for _attempt in range(6):
            topic = rng.choice(class_words) if class_words and rng.random() < 0.5 else rng.choice(topics)
            pattern = rng.randrange(9)
            if pattern == 0:
                title = rng.choice(MODIFIERS) + topic
            elif pattern == 1:
                title = rng.choice(MODIFIERS) + topic + rng.choice(SUFFIXES)
            elif pattern == 2:
                title = topic + rng.choice(SUFFIXES)
            elif pattern == 3:
                title = f"{topic}的{rng.choice(topics)}"
            elif pattern == 4:
                title = rng.choice(CHARACTERS) + rng.choice(ACTIONS)
            elif pattern == 5:
                title = f"{rng.choice(['中国', '世界', '少年', '科学', '历史'])}{topic}{rng.choice(['故事', '旅行', '之谜', '趣闻', ''])}"
            elif pattern == 6:
                title = f"{rng.choice(CHARACTERS)}的{topic}"
            elif pattern == 7:
                title = f"{rng.choice(['一百个', '五十个', '365个', '十个', '我和'])}{topic}{rng.choice(['故事', '问题', '实验', ''])}"
            else:
                title = topic
            if 2 <= len(title) <= 20:
                return title
        return rng.choice(topics) + "故事"

    def _english_title(self) -> str:
        rng = self.rng
        pattern = rng.randrange(4)
        if pattern == 0:
            return f"The {rng.choice(ENGLISH_ADJECTIVES)} {rng.choice(ENGLISH_NOUNS)}"
        if pattern == 1:
            return f"{rng.choice(ENGLISH_NOUNS)} and the {rng.choice(ENGLISH_NOUNS)}"
        if pattern == 2:
            return (
                f"{rng.choice(ENGLISH_SERIES)}: {rng.choice(ENGLISH_ADJECTIVES)} {rng.choice(ENGLISH_NOUNS)}"
            )
        return f"Adventures of the {rng.choice(ENGLISH_NOUNS)}"

    def _isbn(self, publisher_name: str) -> str:
        for space in self.isbn_spaces[publisher_name]:
            isbn = space.next(self.isbn_taken)
            if isbn:
                return isbn
        # This publisher's numbers are all used: any other publisher's will do.
        for spaces in self.isbn_spaces.values():
            for space in spaces:
                isbn = space.next(self.isbn_taken)
                if isbn:
                    return isbn
        raise CommandError("No ISBN numbers are left in the publishers' ranges.")

    def _poisson(self, mean: float) -> int:
        limit, count, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def _call_number(self, code: str) -> str:
        self.sequences[code] = self.sequences.get(code, 0) + 1
        self.used_sequences.add(code)
        return f"{code}/{self.sequences[code]}"

    def _class_for(self, code: str) -> ClassificationClass | None:
        for length in range(len(code), 0, -1):
            found = self.class_by_code.get(code[:length])
            if found is not None:
                return found
        return None

    # --- records and copies ---

    def record(self) -> tuple[Record, list[tuple[str, str]], int]:
        """A record (unsaved, search fields computed), its contributors and how many copies."""
        rng = self.rng
        year = min(2026, 1980 + int(47 * rng.random() ** 0.6))
        material = self.materials.pick(rng)
        english = rng.random() < 0.04
        subtitle = ""
        series = ""
        if rng.random() < 0.03:
            title, contributors, code = rng.choice(CLASSICS)
            title += rng.choice(CLASSIC_EDITIONS)
            contributors = list(contributors)
            language = Record.Language.CHINESE
        elif english:
            title = self._english_title()
            code = (
                self.classes_by_top["H"].pick(rng).code
                if rng.random() < 0.6
                else rng.choice(["I561.8", "I712.8"])
            )
            contributors = [(f"{rng.choice(ENGLISH_FIRST)} {rng.choice(ENGLISH_LAST)}", "author")]
            language = Record.Language.ENGLISH
        else:
            code = self.classes_by_top[self.tops.pick(rng)].pick(rng).code
            title = self._chinese_title(code)
            translated = code[0] == "I" and code[:2] not in ("I2", "I0") and rng.random() < 0.8
            contributors = self._contributors(translated=translated, picture_book=code.startswith("I287.8"))
            language = Record.Language.CHINESE
            if rng.random() < 0.1:
                subtitle = rng.choice(SUBTITLES)
            if rng.random() < 0.15:
                series = rng.choice(SERIES)
        if rng.random() < 0.2 and DEEPENABLE.fullmatch(code):
            # Classifiers often go one digit deeper than the library's table.
            code = code + ("" if "." in code else ".") + str(rng.randrange(1, 10))
        classification = self._class_for(code)
        if english:
            publisher, place, _prefixes, _weight = rng.choice(self.english_publishers)
        else:
            publisher, place, _prefixes, _weight = self.publishers.pick(rng)
        # Chinese books had no ISBN before 1987; some old ones keep their 统一书号 only.
        isbn = "" if year < 1987 and rng.random() < 0.7 else self._isbn(publisher)
        reading_from = rng.randint(1, 6) if code[0] == "I" and rng.random() < 0.5 else None
        reading_to = min(12, reading_from + rng.randint(0, 3)) if reading_from else None
        catalogued_from = date(max(year, 2000), 1, 1)
        span = max((LAST_CATALOGUING_DAY - catalogued_from).days, 0)
        catalogued_on = catalogued_from + timedelta(days=rng.randint(0, span))
        created_at = timezone.make_aware(
            datetime.combine(catalogued_on, datetime.min.time()) + timedelta(minutes=rng.randint(480, 1020))
        )
        link = ""
        if material == Record.MaterialType.E_RESOURCE:
            link = f"https://read.example.cn/book/{rng.randrange(10**8):08d}"
        subjects = ""
        if rng.random() < 0.4:
            words = self.topic_words.get(classification.code if classification else "", []) or TOPICS.get(
                code[0], []
            )
            subjects = "；".join(rng.sample(words, min(len(words), rng.randint(1, 2))))
        record = Record(
            title=title,
            subtitle=subtitle,
            publisher=publisher,
            place=place,
            year=year,
            edition=rng.choice(EDITIONS),
            isbn=isbn,
            price=Decimal(rng.randrange(800, 8800)) / 100
            if material != Record.MaterialType.E_RESOURCE
            else None,
            pages=rng.randint(24, 640),
            size=rng.choice(["19cm", "21cm", "23cm", "24cm", "26cm", "29cm"]),
            series=series,
            subjects=subjects,
            clc_code=code,
            classification=classification,
            call_number=self._call_number(code),
            language=language,
            material_type=material,
            link=link,
            reading_level_from=reading_from,
            reading_level_to=reading_to,
            created_at=created_at,
        )
        for name, value in record_search_fields(record, [name for name, _role in contributors]).items():
            setattr(record, name, value)
        if material == Record.MaterialType.E_RESOURCE:
            copies = 0
        else:
            # At least one; the mean is raised a little for the e-resources' none.
            copies = 1 + self._poisson(max(self.copies_per_record / (1 - E_RESOURCE_SHARE) - 1, 0))
        return record, contributors, copies

    def _next_number(self, attribute: str, taken: set[str], render) -> str:
        while True:
            value = getattr(self, attribute) + 1
            setattr(self, attribute, value)
            text = render(value)
            if text not in taken:
                return text

    def copies(self, record: Record, count: int) -> list[Copy]:
        rng = self.rng
        prefix, digits = self.settings.barcode_prefix, self.settings.barcode_digits
        accession_digits = self.settings.accession_digits
        made = []
        for _index in range(count):
            roll = rng.random()
            status = self.statuses.pick(rng)
            if record.material_type == Record.MaterialType.PERIODICAL_VOLUME:
                location = self.periodicals_room
            elif roll < 0.72:
                location = self.stacks
            elif roll < 0.92:
                location = self.reading_room
            else:
                location = rng.choice(self.corners)
                status = Copy.Status.IN_CLASS_CORNER if status == Copy.Status.AVAILABLE else status
            source = Copy.Source.PURCHASE if roll < 0.9 or roll >= 0.92 else Copy.Source.DONATION
            made.append(
                Copy(
                    record_id=record.pk,
                    barcode=self._next_number(
                        "barcode_number", self.barcodes_taken, lambda n: f"{prefix}{n:0{digits}d}"
                    ),
                    accession_number=self._next_number(
                        "accession_number", self.accessions_taken, lambda n: f"{n:0{accession_digits}d}"
                    ),
                    location=location,
                    shelf=f"{record.clc_code[:1]}-{rng.randint(1, 30):02d}"
                    if location == self.stacks
                    else "",
                    status=status,
                    acquired_on=timezone.localdate(record.created_at),
                    source=source,
                    donor="家长捐赠" if source == Copy.Source.DONATION else "",
                    price_paid=record.price,
                    created_at=record.created_at,
                )
            )
        return made

    def counters_save(self) -> None:
        """Advance the sequences past every number generated, so that cataloguing continues them."""
        wanted = {"barcode": self.barcode_number, "accession": self.accession_number}
        wanted.update({f"sequence:{code}": self.sequences[code] for code in self.used_sequences})
        existing = {
            counter.key: counter for counter in Counter.objects.select_for_update().filter(key__in=wanted)
        }
        changed = []
        for key, value in wanted.items():
            counter = existing.get(key)
            if counter is not None and counter.value < value:
                counter.value = value
                changed.append(counter)
        Counter.objects.bulk_update(changed, ["value"], batch_size=1000)
        Counter.objects.bulk_create(
            [Counter(key=key, value=value) for key, value in wanted.items() if key not in existing and value],
            batch_size=1000,
        )


def search_indexes_drop() -> list[str]:
    """Drop the record table's GIN indexes (the search indexes) and return how to make them again:
    building them once after a large load is many times faster than updating them row by row."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef ILIKE %s",
            ["catalog_record", "% USING gin %"],
        )
        rows = cursor.fetchall()
        for name, _definition in rows:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def search_indexes_create(definitions: list[str]) -> None:
    if not definitions:
        return
    with connection.cursor() as cursor:
        # The foreign keys' deferred checks must run first: PostgreSQL builds no index on a
        # table with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)


class Command(BaseCommand):
    help = (
        "Fill the catalogue with realistic generated records and copies, the same for the same seed "
        "(for trials and benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=1000, help="How many records (default 1000).")
        parser.add_argument(
            "--copies-per-record", type=float, default=2.5, help="Average copies per record (default 2.5)."
        )
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same data.")
        parser.add_argument("--append", action="store_true", help="Add to the records already there.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run on a catalogue that holds records already (nothing is deleted; like --append).",
        )
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, **options):
        records = options["records"]
        if records < 0 or options["copies_per_record"] < 0:
            raise CommandError("The numbers must not be negative.")
        existing = Record.objects.count()
        if existing and not (options["append"] or options["force"]):
            raise CommandError(
                f"The catalogue holds {existing:,} records already. Use --append to add to them "
                "(or --force to run anyway); nothing is ever deleted."
            )
        # Appending draws a different stream from the same seed, so that appended records are new
        # ones, and it is still the same data for the same seed and the same starting catalogue.
        rng = random.Random(f"{options['seed']}:{existing}" if options["append"] else options["seed"])
        started = time.perf_counter()
        if records:
            self._catalogue(rng, records, options["copies_per_record"], options["batch_size"], started)
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                # Mark the new rows visible to all and set their hint bits now, rather than in
                # the first searches (and gather the planner's statistics).
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM (ANALYZE) catalog_record, catalog_contributor, catalog_copy")
                self.stdout.write(f"  vacuumed and analysed  {self._elapsed(started)}")
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")

    def _elapsed(self, started: float) -> str:
        return f"{time.perf_counter() - started:6.1f} s"

    @transaction.atomic
    def _catalogue(self, rng, records: int, copies_per_record: float, batch_size: int, started: float):
        generator = CatalogueGenerator(rng=rng, records=records, copies_per_record=copies_per_record)
        index_definitions = search_indexes_drop() if records >= 20000 else []
        made_records = made_copies = 0
        while made_records < records:
            size = min(batch_size, records - made_records)
            batch = [generator.record() for _ in range(size)]
            saved = Record.objects.bulk_create([record for record, _people, _count in batch])
            Contributor.objects.bulk_create(
                [
                    Contributor(record_id=record.pk, name=name, role=role, position=position)
                    for record, (_unsaved, people, _count) in zip(saved, batch, strict=True)
                    for position, (name, role) in enumerate(people)
                ]
            )
            copies = [copy for record, people, count in batch for copy in generator.copies(record, count)]
            Copy.objects.bulk_create(copies, batch_size=batch_size)
            made_records += size
            made_copies += len(copies)
            self.stdout.write(
                f"  {made_records:>9,} / {records:,} records, {made_copies:>9,} copies  {self._elapsed(started)}"
            )
        generator.counters_save()
        if index_definitions:
            self.stdout.write(f"  building the search indexes again…  {self._elapsed(started)}")
            search_indexes_create(index_definitions)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE catalog_record, catalog_contributor, catalog_copy")
        self.stdout.write(
            f"Added {made_records:,} records and {made_copies:,} copies in {self._elapsed(started).strip()}."
        )
