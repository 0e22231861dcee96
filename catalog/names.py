"""Chinese personal names, for the data that trials and benchmarks generate (the catalogue's
authors here, circulation's pupils and teachers in its ``generate_school``): common surnames
(and a few compound ones) and the characters given names are made of, one or two of them."""

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
    "钱汤尹黎易常武乔贺赖龚文"
)
COMPOUND_SURNAMES = ["欧阳", "司马", "诸葛", "上官", "东方"]
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国晓燕海波宁宇欣怡浩然子涵"
    "梓轩一诺思远雨婷嘉怡文博天佑雪梅春生秋云志刚丹凤佳琪俊杰晨曦"
)
