"""Survey comments in Chinese and English whose words depend on the contact category and the sentiment.

A few comments carry personal data (phone numbers, e-mail addresses, ID numbers) so that masking is exercised,
and a few mention no category at all, as real comments do.
"""

from __future__ import annotations

import numpy as np

COMMENT_RATE = {"negative": 0.5, "neutral": 0.3, "positive": 0.3}
CHINESE_SHARE = 0.65
GENERIC_SHARE = 0.08
PII_SHARE = 0.03

TOPICS = {
    "zh": {
        "billing": ["账单", "扣费", "发票", "话费", "重复扣款", "费用明细"],
        "technical": ["网络", "信号", "系统故障", "应用闪退", "无法登录", "宽带"],
        "delivery": ["快递", "配送", "送货", "物流", "包裹", "延迟送达"],
        "account": ["账户", "密码", "实名认证", "会员", "绑定手机", "注销账号"],
        "returns": ["退货", "换货", "退款", "售后", "质量问题", "寄回"],
        "product": ["产品功能", "套餐", "价格", "型号", "说明书", "新功能"],
    },
    "en": {
        "billing": ["bill", "charge", "invoice", "overcharged", "payment", "double charge"],
        "technical": ["internet", "signal", "app crash", "login error", "connection", "outage"],
        "delivery": ["courier", "delivery", "parcel", "shipping", "late package", "tracking"],
        "account": ["account", "password", "verification", "membership", "profile", "sign-in details"],
        "returns": ["return", "exchange", "refund", "broken item", "send it back", "replacement"],
        "product": ["product", "feature", "plan", "price", "model", "manual"],
    },
}
SENTIMENT = {
    "zh": {
        "positive": ["客服很耐心", "问题很快解决了", "服务态度很好", "非常满意", "处理效率很高"],
        "neutral": ["还可以", "一般吧", "基本解决了", "希望再快一点"],
        "negative": ["等了很久", "问题一直没有解决", "态度很差", "非常失望", "打了好几次电话"],
    },
    "en": {
        "positive": ["the agent was patient", "solved quickly", "great service", "very happy", "friendly and fast"],
        "neutral": ["it was okay", "average service", "mostly sorted", "could be faster"],
        "negative": [
            "waited far too long",
            "still not fixed",
            "rude agent",
            "very disappointed",
            "had to call several times",
        ],
    },
}
TEMPLATES = {
    "zh": ["关于{topic}的问题,{feeling}。", "{topic}这件事{feeling},{topic2}也要注意。", "{feeling},{topic}方面。"],
    "en": [
        "About my {topic}: {feeling}.",
        "{feeling} with the {topic} issue, and the {topic2} too.",
        "{feeling}. It was about the {topic}.",
    ],
}
GENERIC = {"zh": "{feeling}。", "en": "{feeling}."}


def _pii(rng: np.random.Generator, lang: str) -> str:
    kind = rng.integers(0, 3)
    if kind == 0:
        phone = "1" + str(rng.choice([3, 5, 8])) + "".join(map(str, rng.integers(0, 10, 9)))
        return f" 我的电话 {phone}" if lang == "zh" else f" call me on {phone}"
    if kind == 1:
        name = ["li.wei", "wang.fang", "j.smith", "chen.jing"][rng.integers(0, 4)]
        return f" 邮箱 {name}@example.com" if lang == "zh" else f" email {name}@example.com"
    id_number = "11010119" + "".join(map(str, rng.integers(0, 10, 9))) + str(rng.choice(list("0123456789X")))
    return f" 身份证号 {id_number}" if lang == "zh" else f" my ID is {id_number}"


def sentiment_of(csat: int) -> str:
    """positive (CSAT 4–5), neutral (3) or negative (1–2)."""
    return "positive" if csat >= 4 else "negative" if csat <= 2 else "neutral"


def make_comments(rng: np.random.Generator, categories: np.ndarray, csat: np.ndarray) -> np.ndarray:
    """A comment (or None) per survey response, in Chinese or English."""
    out = np.full(len(categories), None, dtype=object)
    for i, (category, score) in enumerate(zip(categories, csat, strict=True)):
        mood = sentiment_of(int(score))
        if rng.random() >= COMMENT_RATE[mood]:
            continue
        lang = "zh" if rng.random() < CHINESE_SHARE else "en"
        feeling = SENTIMENT[lang][mood][rng.integers(0, len(SENTIMENT[lang][mood]))]
        if rng.random() < GENERIC_SHARE:
            text = GENERIC[lang].format(feeling=feeling)
        else:
            words = TOPICS[lang][category]
            template = TEMPLATES[lang][rng.integers(0, len(TEMPLATES[lang]))]
            text = template.format(
                topic=words[rng.integers(0, len(words))], topic2=words[rng.integers(0, len(words))], feeling=feeling
            )
        if lang == "en":
            text = text[0].upper() + text[1:]
        if rng.random() < PII_SHARE:
            text += _pii(rng, lang)
        out[i] = text
    return out
