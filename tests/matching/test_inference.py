import pytest

from matching.inference import Lexicon, infer
from matching.text import TextPipeline
from portal.matching.service import LEXICON_FILE, labels
from portal.search.gateway import TEXT_DIR

pipeline = TextPipeline.from_directory(TEXT_DIR)
lexicon = Lexicon.from_file(LEXICON_FILE, labels=labels().names)


def guess(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return infer(lexicon, text, pipeline.document_tokens(text))


def test_crane_drivers_in_an_office_means_remote_control_and_low_latency() -> None:
    scenarios, capabilities = guess("天车司机在高温粉尘里操作，想让他们坐在办公室里遥控。")
    assert "remote_control" in scenarios
    assert "urllc" in capabilities


def test_defects_found_by_eye_means_machine_vision_and_edge() -> None:
    scenarios, capabilities = guess(
        "釉面缺陷全靠老师傅目检，漏检多，希望拍照自动判断，数据不出厂。"
    )
    assert "machine_vision_qc" in scenarios
    assert {"mec", "embb"} <= set(capabilities)


def test_people_underground_means_positioning() -> None:
    scenarios, capabilities = guess("井下人员位置不清楚，出事时找不到人。")
    assert "positioning_tracking" in scenarios and "positioning" in capabilities


def test_latin_keywords_match_whole_words_only() -> None:
    scenarios, _ = guess("smart warehouse for ceramics")
    assert "ar_vr_assist" not in scenarios
    scenarios, _ = guess("维修人员佩戴 AR 眼镜接受专家指导")
    assert "ar_vr_assist" in scenarios


def test_nothing_to_infer() -> None:
    assert guess("我们是一家企业") == ((), ())


@pytest.mark.parametrize(
    "word", ["一家", "多个", "多台", "十几个", "两三", "每天", "自动", "数据", "实时"]
)
def test_quantities_and_everyday_words_are_generic(word: str) -> None:
    assert lexicon.is_generic(word)


@pytest.mark.parametrize("word", ["釉面", "二层", "天车", "振动", "遥控"])
def test_domain_words_are_not_generic(word: str) -> None:
    assert not lexicon.is_generic(word)
