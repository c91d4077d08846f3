from matching.text import TextPipeline, normalize
from portal.search.gateway import TEXT_DIR

pipeline = TextPipeline.from_directory(TEXT_DIR)


def test_normalize_fullwidth_and_case() -> None:
    assert normalize("５Ｇ ＭＥＣ") == "5g mec"


def test_documents_keep_the_words_inside_longer_words() -> None:
    assert "农业" in pipeline.document_tokens("中国农业发展银行")
    assert "瓷" not in pipeline.document_tokens("瓷砖生产线")
    assert "陶瓷" not in pipeline.document_tokens("瓷砖生产线")


def test_domain_words_stay_whole_in_queries() -> None:
    assert pipeline.query_tokens("网络切片和边缘计算") == ["网络切片", "边缘计算"]
    assert "机器视觉" in pipeline.query_tokens("机器视觉质检")


def test_synonyms_become_one_canonical_word() -> None:
    assert pipeline.query_tokens("远控") == pipeline.query_tokens("远程操控") == ["远程操控"]
    assert pipeline.query_tokens("行车") == pipeline.query_tokens("桥式起重机") == ["天车"]
    assert "天车" in pipeline.document_tokens("桥式起重机改造")


def test_stop_words_dropped_and_query_words_unique() -> None:
    assert pipeline.query_tokens("我们需要的陶瓷 陶瓷") == ["陶瓷"]
    assert pipeline.query_tokens("的 了 和") == []


def test_english_words_and_phrases_bring_their_chinese_terms() -> None:
    english = TextPipeline.from_directory(TEXT_DIR, english={"Remote control": ["远程操控"]})
    words = english.search_words("ceramic glazes")
    assert words[:2] == ["ceramic", "glaze"]  # the English words stay: English titles match
    assert {"陶瓷", "釉面"} <= set(words)  # the curated terms (seed/text/english.txt)
    crane = english.search_words("Cranes, remote control")
    assert {"起重机", "天车", "远程操控"} <= set(crane)  # a phrase, here from a vocabulary
    assert "远程操控" not in english.search_words("remote monitoring control")  # whole phrases
    assert english.search_words("陶瓷") == english.query_tokens("陶瓷")  # Chinese as it was
