"""Chinese text takes full-width punctuation: ，：；！？（） — not the ASCII marks a seed copied
from a page that was typed with them (``10月16日至17日,省委书记``).

Only a mark touching a CJK character is Chinese punctuation; ASCII marks elsewhere belong to
numbers (1,000), times (08:00), URLs and English, and are left alone.
"""

import re

# CJK ideographs, CJK symbols (、。「」【】) and full-width forms (，：（）…).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}

ASCII_NEAR_CJK = re.compile(rf"(?<=[{CJK}])[,:;!?()]|[,:;!?()](?=[{CJK}])")
# Brackets change as a pair, so 实验室(2023) becomes 实验室（2023） and not 实验室（2023).
BRACKETS_NEAR_CJK = re.compile(rf"(?<=[{CJK}])\(([^()]*)\)|\(([^()]*)\)(?=[{CJK}])")


def full_width(text: str) -> str:
    """``text`` with every ASCII mark that touches a CJK character made full-width."""
    text = BRACKETS_NEAR_CJK.sub(lambda match: f"（{match[1] or match[2] or ''}）", text)
    return ASCII_NEAR_CJK.sub(lambda match: FULL_WIDTH[match.group()], text)
